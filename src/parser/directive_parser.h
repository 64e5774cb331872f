// Parser directives (`# syntax=`, `# escape=`, `# check=`) at the top of a Dockerfile.
#pragma once

#include <string>
#include <string_view>

#include "parser/ast.h"

namespace builder::parser {

/// Reads directives line by line, as BuildKit's DirectiveParser does: a line is a directive when
/// it is `#` + blanks + `key = value` with a known key (case-insensitive); the first line that is
/// not one (a blank line, any other comment, an instruction) ends the scan for good.
class DirectiveParser {
 public:
  /// What Feed saw.
  struct Outcome {
    bool directive = false;  ///< the line was a directive (and is dropped)
    bool error = false;
    int error_col = 0;    ///< 1-based column within the fed line
    std::string message;  ///< "only one escape parser directive can be used", ...
  };

  /// Feeds a line (left-trimmed; the first byte is at column col_base of its source line).
  /// Errors: a repeated directive, an escape value other than ` or \.
  Outcome Feed(std::string_view line, int line_number, int col_base);

  bool done() const { return done_; }
  const Directives& directives() const { return directives_; }

 private:
  bool done_ = false;
  bool seen_syntax_ = false;
  bool seen_escape_ = false;
  bool seen_check_ = false;
  Directives directives_;
};

}  // namespace builder::parser
