// COPY/ADD --chmod values: octal modes and symbolic chmod(1) clauses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace builder::filespec {

/// A validated --chmod: exactly one of `octal` (0..07777) or `symbolic` ("u+x,go-w") is set.
struct ChmodSpec {
  std::optional<std::uint32_t> octal;
  std::string symbolic;
};

/// Parses an octal mode up to 07777, or a comma-separated list of symbolic clauses
/// `[ugoa]*([-+=]([rwxXst]*|[ugo]))+` as BuildKit (1.14+) accepts. Error, BuildKit's wording:
/// "invalid chmod parameter: '<v>'. it should be octal string and between 0 and 07777".
[[nodiscard]] Result<ChmodSpec> ParseChmod(std::string_view value);

}  // namespace builder::filespec
