// Splits a Dockerfile into physical lines and joins continuation lines into one instruction
// text that still knows where each of its bytes came from.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parser/ast.h"

namespace builder::parser {

/// BuildKit reads lines with bufio.Scanner's 64 KiB token limit; longer lines are an error.
inline constexpr std::size_t kMaxLineBytes = 65535;

struct PhysicalLine {
  std::string_view raw;   ///< without '\n'; CRs kept (heredoc bodies keep them, as BuildKit does)
  std::string_view text;  ///< raw with trailing CRs removed (and the BOM, on line 1)
  bool has_newline = false;
};

/// Reads a file's physical lines front to back without building an index of them (a big file
/// would pay for one in memory). A UTF-8 BOM at the very start is dropped.
class LineCursor {
 public:
  explicit LineCursor(std::string_view content);

  /// Fills *line with the next line; false at the end of the content.
  bool Next(PhysicalLine* line);
  /// 1-based number of the line Next returned last (0 before the first).
  int line_number() const { return line_number_; }

 private:
  std::string_view content_;
  std::size_t pos_ = 0;
  int line_number_ = 0;
};

/// The number of lines LineCursor yields for content.
std::size_t CountLines(std::string_view content);

/// A guess at the number of instructions, for reserving: the lines that start with a letter.
/// Indented instructions make it low, unindented continuation lines high; either way it is at
/// most CountLines, and blank or comment lines never inflate it.
std::size_t EstimateInstructions(std::string_view content);

/// Go's bytes.TrimLeftFunc(s, unicode.IsSpace).
std::string_view TrimLeftSpace(std::string_view s);

/// BuildKit's continuation rule: the line ends in the escape character, optionally followed by
/// spaces/tabs, and that character is not itself preceded by the escape character. Returns the
/// line without the escape character and the blanks after it, and whether it continues.
std::pair<std::string_view, bool> TrimContinuation(std::string_view line, char escape);

/// An instruction's text with continuation lines joined, and a map back to the source.
class JoinedLine {
 public:
  void Clear() {
    text_.clear();
    segments_.clear();
  }
  /// Appends `piece`, whose first byte is at line:col of the source.
  void Append(std::string_view piece, int line, int col) {
    segments_.push_back({text_.size(), line, col});
    text_.append(piece);
  }
  const std::string& text() const { return text_; }
  /// The source position of byte `offset` of text() (offsets past the end map past the end of
  /// the last piece).
  SourcePos PosAt(std::size_t offset) const;

 private:
  struct Segment {
    std::size_t offset;
    int line;
    int col;
  };
  std::string text_;
  std::vector<Segment> segments_;
};

}  // namespace builder::parser
