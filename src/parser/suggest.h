// "Did you mean ...?" hints for misspelled instructions, flags and option values.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace builder::parser {

/// Levenshtein distance in bytes (insert, delete, substitute each cost 1). O(|a|*|b|) time,
/// O(|b|) memory.
std::size_t EditDistance(std::string_view a, std::string_view b);

/// The option closest to `value` at distance 1 or 2, as BuildKit's util/suggest picks it: the
/// first option (in the order given) with the smallest distance wins. nullopt when nothing is
/// close or when `value` equals an option (an exact match means the error is about something
/// else). Without `case_sensitive`, comparison is on lower case and the suggestion takes the
/// case of `value` when that is all-lower or all-upper.
std::optional<std::string> Suggest(std::string_view value,
                                   std::span<const std::string_view> options, bool case_sensitive);

/// `message` plus " (did you mean X?)" when Suggest() finds X; `message` unchanged otherwise.
std::string WithSuggestion(std::string message, std::string_view value,
                           std::span<const std::string_view> options, bool case_sensitive);

}  // namespace builder::parser
