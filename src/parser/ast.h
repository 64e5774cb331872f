// The Dockerfile syntax tree: what the lexer produces and BuildKit's dump format prints.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/source_range.h"

namespace builder::parser {

// Positions are base's, so typed steps can carry them without the parser.
using builder::SourcePos;
using builder::SourceRange;

/// A heredoc attached to RUN/COPY/ADD: `<<EOF`, `<<-EOF`, `<<'EOF'`, `3<<EOF`. Openers are the
/// shell words of the instruction line that match BuildKit's `^(\d*)<<(-?)([^<]*)$`; the JSON
/// form has none. Bodies follow the instruction, one heredoc after the other, in opener order.
struct Heredoc {
  std::string name;      ///< the terminator word, quotes removed
  std::string content;   ///< body lines, each ending in '\n' (a CRLF file keeps "\r\n", as
                         ///< BuildKit does); tabs kept even when chomp is set
  bool expand = true;    ///< false when the terminator was quoted
  bool chomp = false;    ///< `<<-`: leading tabs are stripped when the body is used
  int fd = -1;           ///< `3<<EOF` gives 3; -1 when no fd was written
  SourcePos pos;         ///< where the `<<` word starts in the instruction
};

/// Parser directives from the top of the file (`syntax` and `check` also after a `#!` first
/// line, as BuildKit's DetectSyntax finds them; the full value, e.g. "image // opts").
struct Directives {
  std::optional<std::string> syntax;
  std::optional<std::string> check;
  char escape = '\\';
  std::optional<SourcePos> escape_pos;
};

/// A warning that does not stop parsing (e.g. an empty line inside a continuation).
struct Warning {
  SourcePos pos;
  std::string message;
};

/// One instruction. Arguments are shaped per instruction exactly as BuildKit's parser shapes
/// them (see the conformance README): ENV/LABEL give (key, value, "=" or "") triples, JSON form
/// gives one arg per array element, shell form the remainder as one arg.
struct Node {
  std::string keyword;                 ///< lower case: "from", "run", ...
  std::string original;                ///< the instruction text with continuations joined
  std::vector<std::string> flags;      ///< leading `--x=y` words, quotes removed, `--` dropped
  std::vector<SourcePos> flag_pos;     ///< where each flag starts, parallel to flags
  std::vector<std::string> args;       ///< unknown keywords get one empty arg, as in BuildKit
  SourcePos args_pos;                  ///< where the arguments (after the flags) start
  bool json_form = false;              ///< args came from a JSON array
  std::vector<Heredoc> heredocs;       ///< for `ONBUILD RUN <<EOF` they sit on the sub node
  std::unique_ptr<Node> sub;           ///< ONBUILD's nested instruction (same range end)
  SourceRange range;
};

/// A parsed Dockerfile.
struct Ast {
  std::string file;                    ///< name used in error messages
  Directives directives;
  std::vector<Node> children;
  std::vector<Warning> warnings;       ///< one per instruction with empty continuation lines
  std::vector<std::string> lines;      ///< source lines without terminators (BOM and CR removed)

  /// The text of a 1-based line, or "" when out of range; for error carets.
  std::string_view Line(int line) const {
    return line >= 1 && line <= static_cast<int>(lines.size()) ? std::string_view(lines[line - 1])
                                                               : std::string_view();
  }
  /// A located parse error pointing at pos.
  Error ErrorAt(SourcePos pos, std::string message) const {
    return Error::AtSource({file, pos.line, pos.col, std::string(Line(pos.line))}, std::move(message));
  }
};

/// Lexes a Dockerfile: BOM, CRLF, directives, comments, continuations, flags, JSON vs shell form,
/// heredocs. Fails with a located error (ErrorCode::kParse, `file:line:col`) on an empty file,
/// bad JSON arrays of non-strings, legacy ENV/LABEL without a value, a name=value word without
/// '=', unterminated heredocs, lines over 64 KiB, bad or repeated directives, ONBUILD nested
/// more than 16 times. Unknown keywords are not errors here. Linear in the input; no recursion
/// on the input's nesting.
[[nodiscard]] Result<Ast> ParseDockerfile(std::string_view content, std::string file);

/// BuildKit's `Node.Dump()` of every instruction, one line each, each ending in '\n'.
std::string DumpAst(const Ast& ast);

}  // namespace builder::parser
