// Lossless text for JSON: arbitrary bytes (file names, Dockerfile text) as valid UTF-8 strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace builder::cache {

/// nlohmann::json refuses to serialize invalid UTF-8, but file names and Dockerfile bytes need
/// not be UTF-8. Escapes '%' and every byte that is not part of a valid UTF-8 sequence as %XX;
/// valid UTF-8 without '%' comes back unchanged. Injective, so escaped names stay distinct.
std::string EscapeText(std::string_view bytes);
/// Inverts EscapeText; nullopt for a malformed escape.
std::optional<std::string> UnescapeText(std::string_view text);

}  // namespace builder::cache
