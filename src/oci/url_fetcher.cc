// FetchUrl over libcurl's easy interface, writing through the sink as data arrives.
#include "oci/url_fetcher.h"

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>

namespace builder::oci {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

struct Transfer {
  ByteSink& out;
  Progress* progress;
  std::optional<Error> sink_error;
  bool started = false;
  CURL* curl;
};

size_t OnData(char* data, size_t, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->progress && !t->started) {
    curl_off_t length = -1;
    curl_easy_getinfo(t->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
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

Result<void> FetchUrl(std::string_view url, ByteSink& out, Progress* progress) {
  std::string u(url);
  if (!u.starts_with("http://") && !u.starts_with("https://")) {
    return Fail(ErrorCode::kInvalidArgument, "unsupported URL scheme: " + u);
  }
  static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialized) return Fail(ErrorCode::kInternal, "curl_global_init failed");
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  Transfer transfer{out, progress, std::nullopt, false, curl.get()};
  char error_text[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, u.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "builder/0.1");
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &OnData);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &transfer);
  CURLcode rc = curl_easy_perform(curl.get());
  if (progress && transfer.started) progress->Finish();
  if (transfer.sink_error) return Fail(std::move(*transfer.sink_error));
  if (rc != CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    std::string why = status >= 400 ? "HTTP " + std::to_string(status)
                                     : (error_text[0] ? error_text : curl_easy_strerror(rc));
    return Fail(ErrorCode::kIo, "GET " + u + ": " + why);
  }
  return {};
}

}  // namespace builder::oci
