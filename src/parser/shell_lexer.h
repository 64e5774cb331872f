// Docker's shell-word expansion ($V, ${V:-w}, quotes, escapes), behaving as BuildKit's
// shell/lex.go.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/error.h"

namespace builder::parser {

/// An environment as Docker keeps it: ordered "NAME=value" entries, later ones win.
class ShellEnv {
 public:
  /// `case_insensitive` gives Windows-style lookup ($pwd finds PWD; ASCII case folding only).
  explicit ShellEnv(bool case_insensitive = false) : case_insensitive_(case_insensitive) {}

  /// Builds from "NAME=value" entries; an entry without '=' sets NAME to the empty string.
  static ShellEnv FromEntries(const std::vector<std::string>& entries,
                              bool case_insensitive = false);

  /// Sets NAME; an existing NAME keeps its position and gets the new value.
  void Set(std::string_view name, std::string_view value);
  /// Sets from a "NAME=value" (or bare "NAME") entry.
  void SetEntry(std::string_view entry);
  /// The value of NAME, or nullopt when unset (set-but-empty is an empty view).
  std::optional<std::string_view> Get(std::string_view name) const;

  bool case_insensitive() const { return case_insensitive_; }
  /// Entries in first-set order, each with its latest value.
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::string Key(std::string_view name) const;

  bool case_insensitive_ = false;
  std::vector<std::pair<std::string, std::string>> entries_;
  std::unordered_map<std::string, std::size_t> index_;  // Key(name) -> entries_ position
};

/// BuildKit's Lex switches.
struct ShellLexOptions {
  char escape = '\\';                ///< the Dockerfile's escape character: '\\' or '`'
  bool raw_quotes = false;           ///< keep quote characters in the output
  bool raw_escapes = false;          ///< keep escape characters in the output
  bool skip_unset_env = false;       ///< leave references to unset variables as written
  bool skip_process_quotes = false;  ///< treat ' and " as ordinary characters
};

/// What an expansion produced and which variables it looked at.
struct ExpandResult {
  std::string word;                ///< the whole input expanded, quotes removed, no splitting
  std::vector<std::string> words;  ///< the same, split on unquoted whitespace (empty words dropped)
  std::set<std::string> matched;   ///< names looked up and found set (possibly empty)
  std::set<std::string> unmatched;  ///< names looked up and found unset
};

/// Expands shell words with Docker's rules: $V ${V} ${V:-w} ${V-w} ${V:+w} ${V+w} ${V:?m} ${V?m}
/// ${V#p} ${V##p} ${V%p} ${V%%p} ${V/p/r} ${V//p/r}; '...' literal, "..." expands $, the escape
/// character escapes the next character. Positional and special parameters ($1, $@, $#, ...) are
/// ordinary names, so they are unset unless the environment sets them. Stateless; thread-safe.
///
/// Errors (code kParse, or kInvalidArgument for ${V?m}), always prefixed with
/// `failed to process "<input>": `: "syntax error: missing '}'", "syntax error: bad substitution",
/// "unsupported modifier (x) in substitution", "V: is not allowed to be unset|empty" or "V: <m>",
/// "unexpected end of statement while looking for matching single-quote|double-quote",
/// "syntax error: missing '/' in ${}", "invalid pattern (p) in substitution: ...", and (ours
/// only, BuildKit has no limit) "syntax error: substitutions nested too deeply" past 500 levels.
class ShellLexer {
 public:
  explicit ShellLexer(ShellLexOptions options = {}) : options_(options) {}

  /// Expands one word: quotes removed, no splitting. `words` is filled too.
  [[nodiscard]] Result<ExpandResult> ProcessWord(std::string_view word, const ShellEnv& env) const;
  /// Expands, then splits on whitespace that was not quoted or escaped (whitespace produced by an
  /// unquoted $-expansion does split). Same result as ProcessWord; callers read `words`.
  [[nodiscard]] Result<ExpandResult> ProcessWords(std::string_view word, const ShellEnv& env) const;

  const ShellLexOptions& options() const { return options_; }

 private:
  ShellLexOptions options_;
};

}  // namespace builder::parser
