// The JSON-array ("exec") form of Dockerfile instructions, decoded as Go's encoding/json does.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace builder::parser {

/// What ParseJsonStringArray found.
enum class JsonArrayKind {
  kNotArray,   ///< not a valid JSON array: the instruction falls back to its shell form
  kStrings,    ///< a valid array of strings
  kNonString,  ///< a valid JSON array with a non-string element: an error in a Dockerfile
};

struct JsonArray {
  JsonArrayKind kind = JsonArrayKind::kNotArray;
  std::vector<std::string> items;    ///< kStrings: decoded elements
  std::vector<std::size_t> offsets;  ///< kStrings: byte offset of each element's opening quote
  std::size_t bad_offset = 0;        ///< kNonString: offset of the first non-string element
};

/// Go's nesting limit (encoding/json's maxNestingDepth); deeper input is invalid JSON.
inline constexpr int kMaxJsonDepth = 10000;

/// Decodes `text` (leading Unicode white space allowed) as BuildKit's parseJSON does with
/// json.Unmarshal into []any: the whole text must be one JSON array, trailing JSON white space
/// only. Strings decode escapes (\uXXXX with surrogate pairs; a lone surrogate and each byte of
/// invalid UTF-8 become U+FFFD). A number that overflows a double makes the text invalid, as
/// Go's decoder reports it. Iterative: arbitrarily deep nesting uses no stack. Offsets are into
/// `text`.
JsonArray ParseJsonStringArray(std::string_view text);

}  // namespace builder::parser
