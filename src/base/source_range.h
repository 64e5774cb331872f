// Where something came from in a source file (a Dockerfile): line and column ranges for messages.
#pragma once

namespace builder {

/// 1-based line and column (column counts bytes in the original line, BOM excluded).
struct SourcePos {
  int line = 0;
  int col = 0;
};

struct SourceRange {
  SourcePos start;
  SourcePos end;  ///< last line of the instruction (heredoc bodies included), col of its last byte
};

}  // namespace builder
