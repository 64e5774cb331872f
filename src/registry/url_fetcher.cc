// FetchUrl over libcurl's easy interface, writing through the sink as data arrives.
#include "registry/url_fetcher.h"

#include "registry/curl_library.h"

#include <memory>
#include <optional>
#include <string>

namespace builder::registry {
namespace {

struct Transfer {
  const CurlLibrary& lib;
  oci::ByteSink& out;
  Progress* progress;
  std::optional<Error> sink_error;
  bool started = false;
  CURL* curl;
};

size_t OnData(char* data, size_t, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->progress && !t->started) {
    curl_off_t length = -1;
    t->lib.easy_getinfo(t->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    t->progress->Start("Downloading", length > 0 ? static_cast<std::uint64_t>(length) : 0);
  }
  t->started = true;
  auto r = t->out.Write({reinterpret_cast<const std::uint8_t*>(data), n});
  if (!r) {
    t->sink_error = std::move(r).error();
    return 0;
  }
  if (t->progress) t->progress->Advance(n);
  return n;
}

}  // namespace

Result<FetchInfo> FetchUrl(std::string_view url, oci::ByteSink& out, Progress* progress) {
  std::string u(url);
  if (!u.starts_with("http://") && !u.starts_with("https://")) {
    return Fail(ErrorCode::kInvalidArgument, "unsupported URL scheme: " + u);
  }
  const CurlLibrary& lib = *BUILDER_TRY(LoadCurl());
  std::unique_ptr<CURL, void (*)(CURL*)> curl(lib.easy_init(), lib.easy_cleanup);
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  Transfer transfer{lib, out, progress, std::nullopt, false, curl.get()};
  char error_text[CURL_ERROR_SIZE] = {};
  lib.easy_setopt(curl.get(), CURLOPT_URL, u.c_str());
  lib.easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  lib.easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 10L);
  lib.easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
  lib.easy_setopt(curl.get(), CURLOPT_USERAGENT, "builder/0.1");
  lib.easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_text);
  lib.easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &OnData);
  lib.easy_setopt(curl.get(), CURLOPT_WRITEDATA, &transfer);
  lib.easy_setopt(curl.get(), CURLOPT_FILETIME, 1L);
  lib.easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = lib.easy_perform(curl.get());
  if (progress && transfer.started) progress->Finish();
  if (transfer.sink_error) return Fail(std::move(*transfer.sink_error));
  if (rc != CURLE_OK) {
    long status = 0;
    lib.easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    std::string why = status >= 400 ? "HTTP " + std::to_string(status)
                                     : (error_text[0] ? error_text : lib.easy_strerror(rc));
    return Fail(ErrorCode::kIo, "GET " + u + ": " + why);
  }
  FetchInfo info;
  curl_off_t filetime = -1;
  if (lib.easy_getinfo(curl.get(), CURLINFO_FILETIME_T, &filetime) == CURLE_OK && filetime >= 0)
    info.last_modified = static_cast<std::int64_t>(filetime);
  return info;
}

}  // namespace builder::registry
