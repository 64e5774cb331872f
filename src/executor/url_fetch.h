// ADD <url>: downloading a remote file (libcurl) and checking --checksum.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/progress.h"
#include "base/staged_file.h"

namespace builder::executor {

/// True for the sources ADD downloads (http:// and https://).
bool IsUrl(std::string_view source);

/// The file name ADD gives a URL's content: the last path component ("index.html" for "/").
std::string UrlBaseName(const std::string& url);

/// Downloads url into host_path (following redirects; HTTP status >= 400 fails with the status).
/// When checksum ("sha256:<hex>") is given the content must match (kCorrupt otherwise). The
/// file's mtime is the server's Last-Modified when sent.
[[nodiscard]] Result<void> FetchUrlToFile(const std::string& url, const std::string& host_path,
                                          const std::string& checksum);

/// A URL downloaded before its ADD step runs, so the step's cache key can name the content
/// (BuildKit downloads on every build and keys on what came). The temp file is removed with
/// the object: on a cache hit it is simply dropped.
struct FetchedUrl {
  StagedFile file;
  std::string digest;                        ///< "sha256:<hex>" of the content
  std::optional<std::int64_t> last_modified;  ///< the server's Last-Modified, seconds
};

/// Fetched URLs of one step, by URL.
using FetchedUrls = std::map<std::string, FetchedUrl>;

/// Downloads url (streamed) into a temp file in tmp_dir, hashing it on the way; `progress`
/// (may be null) follows the bytes. Errors: as FetchUrl (HTTP status >= 400, transport), kIo
/// for the temp file.
[[nodiscard]] Result<FetchedUrl> FetchUrlToTemp(const std::string& url, const std::string& tmp_dir,
                                                Progress* progress = nullptr);

/// Copies a fetched URL's content to host_path (created 0600, replaced if present), with the
/// mtime from Last-Modified when the server sent one. Errors: kIo.
[[nodiscard]] Result<void> PlaceFetchedUrl(const FetchedUrl& fetched, const std::string& host_path);

}  // namespace builder::executor
