// Push calls with retries: every request is rebuilt per attempt, uploads resume from the
// offset the registry reports.
#include "registry/blob_upload.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <limits>

#include "registry/transfer_retry.h"

namespace builder::registry {
namespace {

// Reads [offset, offset + length) of a file with pread, leaving the fd's offset alone so
// several uploads could share it.
class FdRangeSource final : public oci::ByteSource {
 public:
  FdRangeSource(int fd, std::int64_t offset, std::int64_t length)
      : fd_(fd), offset_(offset), end_(offset + length) {}
  Result<std::size_t> Read(std::span<std::uint8_t> buf) override {
    std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(
        static_cast<std::int64_t>(buf.size()), end_ - offset_));
    if (want == 0) return std::size_t{0};
    for (;;) {
      ssize_t n = ::pread(fd_, buf.data(), want, offset_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail(Error(ErrorCode::kIo, "read blob: " + ErrnoText(errno), errno));
      if (n == 0) return Fail(ErrorCode::kCorrupt, "blob is shorter than its descriptor says");
      offset_ += n;
      return static_cast<std::size_t>(n);
    }
  }

 private:
  int fd_;
  std::int64_t offset_;
  std::int64_t end_;
};

// Sends make() until the answer is not transient; the last transient answer or error after
// kTransferAttempts tries.
Result<HttpResponse> SendRetrying(RegistryClient& client, const std::function<HttpRequest()>& make) {
  for (int failures = 1;; ++failures) {
    auto sent = client.Send(make(), nullptr, kMaxErrorBody);
    bool again = sent ? IsTransientStatus(sent->status) : IsTransientError(sent.error());
    if (!again || failures >= kTransferAttempts) return sent;
    PauseBeforeRetry(failures, sent ? &*sent : nullptr);
  }
}

Error StatusError(const HttpResponse& response, const std::string& what) {
  ErrorCode code = response.status == 401 || response.status == 403 ? ErrorCode::kPermission : ErrorCode::kIo;
  return Error(code, what + ": HTTP " + std::to_string(response.status) + RegistryReason(response));
}

// A Location header made absolute against the registry.
std::string Absolute(const RegistryClient& client, std::string_view location) {
  if (location.starts_with("http://") || location.starts_with("https://")) return std::string(location);
  std::string origin = (client.endpoint().plain_http ? "http://" : "https://") + client.endpoint().host;
  return origin + (location.starts_with("/") ? "" : "/") + std::string(location);
}

std::string WithQuery(const std::string& url, std::string_view query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + std::string(query);
}

std::string UploadsUrl(const RegistryClient& client) {
  return client.endpoint().ApiUrl() + client.repository() + "/blobs/uploads/";
}

// POST .../blobs/uploads/: the new session's absolute URL.
Result<std::string> StartUpload(RegistryClient& client) {
  HttpResponse r = BUILDER_TRY(SendRetrying(client, [&] {
    HttpRequest q;
    q.method = "POST";
    q.url = UploadsUrl(client);
    return q;
  }));
  if (r.status != 202) return Fail(StatusError(r, "start upload to " + client.repository()));
  std::string location = r.Header("location");
  if (location.empty()) return Fail(ErrorCode::kIo, "the registry started an upload without a Location");
  return Absolute(client, location);
}

// The end of "0-N" (N may be -1 for nothing yet), plus one: the next byte to send.
std::int64_t NextOffset(const HttpResponse& r, std::int64_t fallback) {
  std::string range = r.Header("range");
  auto dash = range.find('-');
  if (dash == std::string::npos) return fallback;
  // The registry may be hostile: anything but a number from -1 up (whose successor fits) is
  // ignored rather than overflowed or taken as a negative offset.
  std::int64_t end = 0;
  const char* last = range.data() + range.size();
  auto [ptr, ec] = std::from_chars(range.data() + dash + 1, last, end);
  if (ec != std::errc() || ptr != last || end < -1 || end == std::numeric_limits<std::int64_t>::max())
    return fallback;
  return end + 1;
}

Result<void> CheckDigest(const HttpResponse& r, const oci::Digest& want, const std::string& what) {
  std::string header = r.Header("docker-content-digest");
  if (header.empty()) return {};
  if (header != want.str())
    return Fail(ErrorCode::kCorrupt, what + ": the registry stored " + header + ", expected " + want.str());
  return {};
}

}  // namespace

Result<bool> BlobExists(RegistryClient& client, const oci::Descriptor& blob) {
  HttpResponse r = BUILDER_TRY(SendRetrying(client, [&] {
    HttpRequest q;
    q.method = "HEAD";
    q.url = client.endpoint().ApiUrl() + client.repository() + "/blobs/" + blob.digest.str();
    return q;
  }));
  if (r.status == 404) return false;
  if (r.status != 200) return Fail(StatusError(r, "HEAD blob " + blob.digest.str()));
  std::string length = r.Header("content-length");
  return length.empty() || std::strtoll(length.c_str(), nullptr, 10) == blob.size;
}

Result<bool> MountBlob(RegistryClient& client, const oci::Digest& digest, std::string_view from) {
  HttpResponse r = BUILDER_TRY(SendRetrying(client, [&] {
    HttpRequest q;
    q.method = "POST";
    q.url = UploadsUrl(client) + "?mount=" + digest.str() + "&from=" + std::string(from);
    return q;
  }));
  if (r.status == 201) return true;
  if (r.status != 202) return Fail(StatusError(r, "mount blob " + digest.str() + " from " + std::string(from)));
  // Not mountable (no access to `from`, or the blob left it): the registry opened an upload
  // instead; cancel it so it does not linger until the registry's purge.
  if (std::string location = r.Header("location"); !location.empty()) {
    HttpRequest cancel;
    cancel.method = "DELETE";
    cancel.url = Absolute(client, location);
    (void)client.Send(cancel, nullptr, kMaxErrorBody);
  }
  return false;
}

Result<void> UploadBlob(RegistryClient& client, const oci::Descriptor& blob, int fd, std::int64_t chunk_size) {
  const std::string what = "upload blob " + blob.digest.str();
  std::string location = BUILDER_TRY(StartUpload(client));
  std::int64_t offset = 0;
  int failures = 0;
  for (;;) {
    HttpRequest q;
    q.headers.emplace_back("Content-Type", "application/octet-stream");
    std::int64_t length = 0;
    bool final = true;
    if (offset == 0 && blob.size <= chunk_size) {
      q.method = "PUT";  // monolithic
      length = blob.size;
    } else if (offset < blob.size) {
      q.method = "PATCH";
      length = std::min(chunk_size, blob.size - offset);
      q.headers.emplace_back("Content-Range", std::to_string(offset) + "-" + std::to_string(offset + length - 1));
      final = false;
    } else {
      q.method = "PUT";  // every byte is there: close the upload
    }
    q.url = final ? WithQuery(location, "digest=" + blob.digest.str()) : location;
    FdRangeSource body(fd, offset, length);
    q.body_source = &body;
    q.body_size = length;
    auto sent = client.Send(std::move(q), nullptr, kMaxErrorBody);
    if (!sent && sent.error().code() == ErrorCode::kCorrupt) return Fail(std::move(sent.error()).Context(what));
    if (sent && sent->status >= 200 && sent->status < 300) {
      failures = 0;
      if (final) return CheckDigest(*sent, blob.digest, what);
      if (std::string next = sent->Header("location"); !next.empty()) location = Absolute(client, next);
      offset = NextOffset(*sent, offset + length);
      continue;
    }
    // 404 or 416 on an open session: it is gone or out of step with what we think it holds
    // (a cut request may have left part of its body in it), so it starts over.
    bool stale = sent && (sent->status == 404 || sent->status == 416);
    bool again = stale || (sent ? IsTransientStatus(sent->status) : IsTransientError(sent.error()));
    if (!again) return Fail(sent ? StatusError(*sent, what) : std::move(sent.error()).Context(what));
    if (++failures >= kTransferAttempts)
      return Fail(sent ? StatusError(*sent, what) : std::move(sent.error()).Context(what));
    PauseBeforeRetry(failures, sent && !stale ? &*sent : nullptr);
    // Where did the registry get to? Asked again through transient failures of its own.
    Result<HttpResponse> status = stale ? Result<HttpResponse>(HttpResponse{.status = 404})
                                        : SendRetrying(client, [&] { return HttpRequest{.method = "GET", .url = location}; });
    if (status && status->status == 204 && NextOffset(*status, 0) > 1) {
      offset = NextOffset(*status, 0);
      if (std::string next = status->Header("location"); !next.empty()) location = Absolute(client, next);
    } else if (status && (status->status == 404 || status->status == 204)) {
      // Lost, or "0-0": distribution answers that for an empty upload and for one byte alike,
      // so only a fresh session has a known offset.
      auto fresh = StartUpload(client);
      if (fresh) {
        location = *fresh;
        offset = 0;
      }
    }
    // Any other answer: try the same request again; the next failure counts.
  }
}

Result<oci::Digest> PutManifest(RegistryClient& client, std::string_view tag_or_digest, std::string_view media_type,
                                std::string_view bytes) {
  oci::Digest digest = oci::Digest::Of(bytes);
  std::string what = "put manifest " + client.repository() + (tag_or_digest.find(':') != std::string_view::npos ? "@" : ":") +
                     std::string(tag_or_digest);
  HttpResponse r = BUILDER_TRY(SendRetrying(client, [&] {
    HttpRequest q;
    q.method = "PUT";
    q.url = client.endpoint().ApiUrl() + client.repository() + "/manifests/" + std::string(tag_or_digest);
    q.headers.emplace_back("Content-Type", std::string(media_type));
    q.body = std::string(bytes);
    return q;
  }));
  if (r.status != 201 && r.status != 200 && r.status != 202) return Fail(StatusError(r, what));
  BUILDER_TRY(CheckDigest(r, digest, what));
  return digest;
}

}  // namespace builder::registry
