// FetchUrl: streams an http(s) resource into a sink (import from a URL).
#pragma once

#include <string_view>

#include "base/error.h"
#include "base/progress.h"
#include "oci/byte_stream.h"

namespace builder::oci {

/// Downloads `url` (http or https only; redirects followed, at most 10) into `out`, which is
/// not closed. `progress` (may be null) gets the Content-Length as total when known.
/// Errors: kInvalidArgument for other schemes, kIo for transport failures and HTTP
/// statuses >= 400 ("GET <url>: HTTP 404"), or the sink's error.
[[nodiscard]] Result<void> FetchUrl(std::string_view url, ByteSink& out,
                                    Progress* progress = nullptr);

}  // namespace builder::oci
