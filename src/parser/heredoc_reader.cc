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

// Whether a word can start at byte `at`: the line's start or after (possibly Unicode) white space.
bool AtWordStart(std::string_view line, std::size_t at) {
  if (at == 0) return true;
  const auto before = static_cast<unsigned char>(line[at - 1]);
  return before == ' ' || (before >= '\t' && before <= '\r') || before >= 0x80;
}

// Whether some "<<" could begin a shell word (after optional fd digits): at the start of the
// line or after white space. Lexing the whole line is the costly part of heredoc detection, and
// most "<<" in real lines sit inside quotes or words. Bytes >= 0x80 might be Unicode white
// space, so they count as a possible word start.
bool MayOpenHeredoc(std::string_view line) {
  for (std::size_t at = line.find("<<"); at != std::string_view::npos;
       at = line.find("<<", at + 2)) {
    std::size_t start = at;
    while (start > 0 && line[start - 1] >= '0' && line[start - 1] <= '9') --start;
    if (AtWordStart(line, start)) return true;
  }
  return false;
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

std::expected<std::vector<HeredocOpener>, HeredocError> HeredocsFromLine(std::string_view line) {
  std::vector<HeredocOpener> out;
  if (!MayOpenHeredoc(line)) return out;
  ShellLexOptions options;
  options.raw_quotes = true;
  options.raw_escapes = true;
  options.skip_unset_env = true;
  // BuildKit ignores a lexing failure of the whole line: such a line opens no heredoc.
  auto words = ShellLexer(options).ProcessWords(line, ShellEnv());
  if (!words) return out;
  std::size_t search_from = 0;
  for (const auto& word : words->words) {
    if (word.find("<<") == std::string::npos) continue;
    // Words come back as written (nothing is expanded or unquoted), so finding the word where a
    // word can start locates the opener; fall back to the search position if it is not found.
    std::size_t at = line.find(word, search_from);
    while (at != std::string_view::npos && !AtWordStart(line, at)) {
      at = line.find(word, at + 1);
    }
    if (at == std::string_view::npos) at = search_from;
    auto heredoc = ParseHeredocWord(word);
    if (!heredoc) return std::unexpected(HeredocError{at, std::move(heredoc).error()});
    search_from = std::min(line.size(), at + word.size());
    if (!*heredoc) continue;
    out.push_back({std::move(**heredoc), at});
  }
  return out;
}

std::string ChompHeredocContent(std::string_view content) {
  std::string out;
  out.reserve(content.size());
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') continue;
    out += c;
    line_start = c == '\n';
  }
  return out;
}

}  // namespace builder::parser
