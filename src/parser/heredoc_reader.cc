// Heredoc openers, recognised with the same two-pass shell-word trick BuildKit uses to tell a
// quoted terminator (no expansion) from a plain one.
#include "parser/heredoc_reader.h"

#include <algorithm>
#include <climits>

#include "parser/shell_lexer.h"

namespace builder::parser {

namespace {

std::size_t CountQuotes(std::string_view s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\'') +
                                  std::count(s.begin(), s.end(), '"'));
}

}  // namespace

std::expected<std::optional<Heredoc>, std::string> ParseHeredocWord(std::string_view word) {
  std::size_t i = 0;
  while (i < word.size() && word[i] >= '0' && word[i] <= '9') ++i;
  const std::string_view digits = word.substr(0, i);
  if (!word.substr(i).starts_with("<<")) return std::nullopt;
  i += 2;
  bool chomp = false;
  if (i < word.size() && word[i] == '-') {
    chomp = true;
    ++i;
  }
  const std::string_view rest = word.substr(i);
  if (rest.find('<') != std::string_view::npos) return std::nullopt;
  if (rest.empty()) return std::nullopt;

  const ShellEnv env;
  ShellLexOptions options;
  options.skip_unset_env = true;
  auto words = ShellLexer(options).ProcessWords(rest, env);
  if (!words) return std::unexpected(words.error().message());
  if (words->words.size() != 1) return std::nullopt;
  options.raw_quotes = true;
  auto raw = ShellLexer(options).ProcessWords(rest, env);
  if (!raw) return std::unexpected(raw.error().message());
  if (raw->words.size() != 1) {
    return std::unexpected("internal lexing of heredoc produced inconsistent results: " +
                           std::string(rest));
  }

  Heredoc heredoc;
  heredoc.name = words->words[0];
  heredoc.expand = CountQuotes(heredoc.name) == CountQuotes(raw->words[0]);
  heredoc.chomp = chomp;
  if (!digits.empty()) {
    long long fd = 0;
    for (char c : digits) {
      fd = std::min<long long>(fd * 10 + (c - '0'), INT_MAX);
    }
    heredoc.fd = static_cast<int>(fd);
  }
  return heredoc;
}

std::expected<std::vector<HeredocOpener>, std::string> HeredocsFromLine(std::string_view line) {
  std::vector<HeredocOpener> out;
  if (line.find("<<") == std::string_view::npos) return out;
  ShellLexOptions options;
  options.raw_quotes = true;
  options.raw_escapes = true;
  options.skip_unset_env = true;
  // BuildKit ignores a lexing failure of the whole line: such a line opens no heredoc.
  auto words = ShellLexer(options).ProcessWords(line, ShellEnv());
  if (!words) return out;
  std::size_t search_from = 0;
  for (const auto& word : words->words) {
    auto heredoc = ParseHeredocWord(word);
    if (!heredoc) return std::unexpected(std::move(heredoc).error());
    if (!*heredoc) continue;
    // Words come back as written (nothing is expanded or unquoted), so finding them in the
    // line locates the opener; fall back to the next "<<" if expansion changed the text.
    std::size_t at = line.find(word, search_from);
    if (at == std::string_view::npos) at = line.find("<<", search_from);
    if (at == std::string_view::npos) at = search_from;
    search_from = std::min(line.size(), at + 1);
    out.push_back({std::move(**heredoc), at});
  }
  return out;
}

}  // namespace builder::parser
