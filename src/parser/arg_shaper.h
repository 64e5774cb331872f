// Shapes one joined instruction line into keyword, flags and arguments, per instruction, as
// BuildKit's splitCommand/extractBuilderFlags and line parsers (line_parsers.go) do.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace builder::parser {

/// One word of an ENV/LABEL/ARG line: quotes and escapes kept, `offset` where it starts.
struct LineWord {
  std::string text;
  std::size_t offset = 0;
};

/// An instruction line taken apart. Offsets are byte offsets into the shaped line.
struct ShapedLine {
  std::string keyword;  ///< lower case ("" for an empty line)
  std::size_t keyword_offset = 0;
  std::vector<std::string> flags;  ///< leading --words, quotes removed, `--` dropped
  std::vector<std::size_t> flag_offsets;
  std::size_t args_offset = 0;  ///< where the text after the flags starts
  std::vector<std::string> args;
  bool json_form = false;
  bool known = false;  ///< a keyword BuildKit's parser has a line parser for
  /// ONBUILD with text after it: the nested instruction is rest (at rest_offset), shaped next.
  bool has_sub = false;
  std::string_view rest;
  std::size_t rest_offset = 0;
};

/// A shaping failure at a byte offset of the line.
struct ShapeError {
  std::size_t offset = 0;
  std::string message;
};

/// Shapes `line` (continuations already joined). `escape` is the Dockerfile's escape character,
/// used by ENV/LABEL/ARG word splitting. Errors: "ENV must have two arguments" (also LABEL),
/// a name=value word without '=', a JSON array with a non-string element.
[[nodiscard]] std::expected<ShapedLine, ShapeError> ShapeLine(std::string_view line, char escape);

/// BuildKit's parseWords: splits on Unicode white space, honouring quotes and the escape
/// character but keeping both in the words. Invalid UTF-8 bytes become U+FFFD, as in Go.
std::vector<LineWord> SplitQuotedWords(std::string_view rest, char escape);

/// BuildKit's extractBuilderFlags: takes the leading words starting with "--" (quotes removed,
/// backslash escapes applied) until the first other word or a bare "--". Returns the offset of
/// the remaining text. Unlike BuildKit, only ASCII white space separates words and non-ASCII
/// bytes are kept as they are (BuildKit reads bytes as Latin-1 runes here).
std::size_t ExtractFlags(std::string_view line, std::vector<std::string>* flags,
                         std::vector<std::size_t>* offsets);

}  // namespace builder::parser
