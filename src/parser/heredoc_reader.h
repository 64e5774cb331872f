// Finds the heredocs an instruction line opens (`<<EOF`, `<<-EOF`, `<<'EOF'`, `3<<EOF`), with
// BuildKit's word rules; the builder then reads their bodies from the following lines.
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/ast.h"

namespace builder::parser {

/// A heredoc opener found in an instruction line; offset is where its word starts in the line.
struct HeredocOpener {
  Heredoc heredoc;  ///< name, expand, chomp, fd; content empty
  std::size_t offset = 0;
};

/// A heredoc opener that fails to lex (`<<${X:?unset}`); offset is where its word starts.
struct HeredocError {
  std::size_t offset = 0;
  std::string message;
};

/// BuildKit's ParseHeredoc on one word: `^(\d*)<<(-?)([^<]*)$` whose name part is exactly one
/// shell word. nullopt when the word is not a heredoc (`<<<EOF`, `<<EOF sh`, a bare `<<`).
/// Errors (unterminated quotes in the name) carry the shell lexer's message.
[[nodiscard]] std::expected<std::optional<Heredoc>, std::string> ParseHeredocWord(
    std::string_view word);

/// Every heredoc opened by `line` (an instruction with continuations joined), in order: the line
/// is split into shell words keeping quotes and escapes, each word tried with ParseHeredocWord.
/// Quoted or escaped `<<` (`"<<EOF"`) does not open a heredoc.
[[nodiscard]] std::expected<std::vector<HeredocOpener>, HeredocError> HeredocsFromLine(
    std::string_view line);

/// BuildKit's ChompHeredocContent: the body of a `<<-` heredoc with the leading tabs of every
/// line removed (what the shell's `<<-` feeds the command).
std::string ChompHeredocContent(std::string_view content);

}  // namespace builder::parser
