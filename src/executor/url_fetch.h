// ADD <url>: downloading a remote file (libcurl) and checking --checksum.
#pragma once

#include <string>

#include "base/error.h"

namespace builder::executor {

/// The file name ADD gives a URL's content: the last path component ("index.html" for "/").
std::string UrlBaseName(const std::string& url);

/// Downloads url into host_path (following redirects; HTTP status >= 400 fails with the status).
/// When checksum ("sha256:<hex>") is given the content must match (kCorrupt otherwise). The
/// file's mtime is the server's Last-Modified when sent.
[[nodiscard]] Result<void> FetchUrlToFile(const std::string& url, const std::string& host_path,
                                          const std::string& checksum);

}  // namespace builder::executor
