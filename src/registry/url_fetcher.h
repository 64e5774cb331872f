// FetchUrl: streams an http(s) resource into a sink (import from a URL, ADD <url>).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/error.h"
#include "base/progress.h"
#include "oci/byte_stream.h"

namespace builder::registry {

struct FetchInfo {
  /// The server's Last-Modified time (seconds since the epoch) when it sent one.
  std::optional<std::int64_t> last_modified;
};

/// Downloads `url` (http or https only; redirects followed, at most 10) into `out`, which is
/// not closed. `progress` (may be null) gets the Content-Length as total when known.
/// Errors: kInvalidArgument for other schemes, kIo for transport failures and HTTP
/// statuses >= 400 ("GET <url>: HTTP 404"), the sink's error, or LoadCurl's.
[[nodiscard]] Result<FetchInfo> FetchUrl(std::string_view url, oci::ByteSink& out,
                                         Progress* progress = nullptr);

}  // namespace builder::registry
