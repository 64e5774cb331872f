// RegistryTransport: the HTTP seam under the registry client, so unit tests answer with fakes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "oci/byte_stream.h"

namespace builder::registry {

/// One HTTP request. Header values may hold credentials: transports never log them or put
/// them in errors.
struct HttpRequest {
  std::string method = "GET";  ///< "GET", "HEAD", or "POST" with `body`
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  ///< name, value
  std::string body;  ///< a small request body (token endpoint forms); may hold secrets
};

/// The final response (after redirects).
struct HttpResponse {
  long status = 0;
  /// Header names lower-cased, in arrival order; repeated headers stay separate entries.
  std::vector<std::pair<std::string, std::string>> headers;
  /// The body when it did not go to the caller's sink: every non-2xx body (cut after
  /// kMaxErrorBody bytes) and 2xx bodies of requests sent without a sink.
  std::string body;

  /// The first value of a header (name in any case); empty when absent.
  std::string Header(std::string_view name) const;
  /// Every value of a header, in order.
  std::vector<std::string> Headers(std::string_view name) const;
};

/// Bodies of error responses kept for messages.
inline constexpr std::size_t kMaxErrorBody = 64 << 10;

/// Sends requests to registries (libcurl in production: MakeCurlTransport).
class RegistryTransport {
 public:
  virtual ~RegistryTransport() = default;
  /// Sends `request`, following redirects. A 2xx body is streamed to `sink` when given (not
  /// closed), else kept in HttpResponse::body, at most `max_body` bytes (kInvalidArgument
  /// beyond). Any status is a success here: callers judge it. Errors: kIo for transport
  /// failures, worded "connect to HOST:PORT: Connection refused" for refused connections;
  /// the sink's error when it fails.
  [[nodiscard]] virtual Result<HttpResponse> Send(const HttpRequest& request, oci::ByteSink* sink,
                                                  std::size_t max_body = 4 << 20) = 0;
};

/// "host:port" of an http(s) URL, the port defaulted from the scheme; for error messages.
std::string UrlAuthority(std::string_view url);

}  // namespace builder::registry
