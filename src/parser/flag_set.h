// BuildKit-style instruction flags (`--name=value`, bool `--link`, repeatable `--mount`).
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace builder::parser {

/// A flag error, pointing at the flag word that caused it.
struct FlagError {
  std::size_t index = 0;  ///< position in the words given to FlagSet::Parse
  std::string message;    ///< BuildKit's wording, e.g. "unknown flag: --foo (did you mean from?)"
};

/// The flags one instruction accepts, and what its flag words set. Declare with Add*, then
/// Parse once. Names are given without the leading "--".
class FlagSet {
 public:
  enum class Kind { kBool, kString, kStrings };

  /// One occurrence of a flag: its value and which word it came from.
  struct Occurrence {
    std::string value;
    std::size_t index = 0;
  };

  void AddBool(std::string name) { Add(std::move(name), Kind::kBool); }
  void AddString(std::string name) { Add(std::move(name), Kind::kString); }
  /// A flag that may be given several times (--mount, --exclude).
  void AddStrings(std::string name) { Add(std::move(name), Kind::kStrings); }

  /// Applies flag words such as "--from=build" or "--link". Errors, in BuildKit's wording:
  /// "arg should start with -- : x", "unknown flag: --x" (plus a suggestion among the declared
  /// names), "duplicate flag specified: --x" (for non-repeatable flags), "missing a value on
  /// flag: --x" (string flags without '=', or a bool given "--x="), "expecting boolean value
  /// for flag --x, not: y". A bare "--" ends the flags.
  [[nodiscard]] std::expected<void, FlagError> Parse(const std::vector<std::string>& words);

  /// Whether the flag was given at least once.
  bool used(std::string_view name) const;
  /// The value of a string flag ("" when not given), or "true"/"false" for a bool flag.
  std::string value(std::string_view name) const;
  /// A bool flag's value (false when not given).
  bool is_true(std::string_view name) const { return value(name) == "true"; }
  /// Every occurrence of a flag, in order (one at most for non-repeatable flags).
  const std::vector<Occurrence>& occurrences(std::string_view name) const;
  /// The word index of the flag's last occurrence; only meaningful when used(name).
  std::size_t index(std::string_view name) const;

 private:
  struct Flag {
    std::string name;
    Kind kind;
    std::vector<Occurrence> seen;
  };
  void Add(std::string name, Kind kind);
  const Flag* Find(std::string_view name) const;
  Flag* Find(std::string_view name);

  std::vector<Flag> flags_;  // declaration order, so suggestions are deterministic
};

}  // namespace builder::parser
