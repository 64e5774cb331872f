// Edit-distance suggestions, the same choice rule as BuildKit's util/suggest.
#include "parser/suggest.h"

#include <algorithm>
#include <vector>

namespace builder::parser {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// BuildKit's matchCase: follow the user's all-lower or all-upper spelling.
std::string MatchCase(std::string_view option, std::string_view original) {
  if (original == Lower(original)) return Lower(option);
  if (original == Upper(original)) return Upper(option);
  return std::string(option);
}

}  // namespace

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];  // row[i-1][j-1]
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

std::optional<std::string> Suggest(std::string_view value,
                                   std::span<const std::string_view> options, bool case_sensitive) {
  // Distances of 3 or more are not suggestions, and a long value cannot be within 2 of a short
  // option, which also keeps the quadratic distance cheap on hostile input.
  std::string folded = case_sensitive ? std::string(value) : Lower(value);
  std::size_t best = 3;
  std::optional<std::string> match;
  for (std::string_view option : options) {
    std::string opt = case_sensitive ? std::string(option) : Lower(option);
    if (opt == folded) return std::nullopt;
    std::size_t longer = std::max(opt.size(), folded.size());
    std::size_t shorter = std::min(opt.size(), folded.size());
    if (longer - shorter >= best) continue;
    std::size_t d = EditDistance(folded, opt);
    if (d < best) {
      best = d;
      match = case_sensitive ? opt : MatchCase(opt, value);
    }
  }
  return match;
}

std::string WithSuggestion(std::string message, std::string_view value,
                           std::span<const std::string_view> options, bool case_sensitive) {
  if (auto match = Suggest(value, options, case_sensitive))
    message += " (did you mean " + *match + "?)";
  return message;
}

}  // namespace builder::parser
