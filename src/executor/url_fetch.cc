// ADD <url>: downloading a remote file (libcurl) and checking --checksum.
#include "executor/url_fetch.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "base/sha256.h"
#include "base/staged_file.h"
#include "base/unique_fd.h"

namespace builder::executor {
namespace {

struct Sink {
  int fd;
  Sha256 hash;
  bool failed = false;
};

size_t WriteCb(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::string_view bytes(data, size * n);
  if (!WriteAll(sink->fd, bytes, "download")) {
    sink->failed = true;
    return 0;
  }
  sink->hash.Update(bytes);
  return size * n;
}

}  // namespace

std::string UrlBaseName(const std::string& url) {
  std::string path = url;
  if (auto q = path.find_first_of("?#"); q != std::string::npos) path.resize(q);
  auto scheme = path.find("://");
  if (scheme != std::string::npos) {
    auto slash = path.find('/', scheme + 3);
    path = slash == std::string::npos ? "/" : path.substr(slash);
  }
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  auto last = path.rfind('/');
  std::string name = last == std::string::npos ? path : path.substr(last + 1);
  return name.empty() ? "index.html" : name;
}

Result<void> FetchUrlToFile(const std::string& url, const std::string& host_path,
                            const std::string& checksum) {
  UniqueFd fd(open(host_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return FailErrno("create " + host_path, errno);
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  Sink sink{fd.get(), Sha256(), false};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, WriteCb);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl.get(), CURLOPT_FILETIME, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK)
    return Fail(ErrorCode::kIo, "download " + url + ": " + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status >= 400)
    return Fail(ErrorCode::kIo, "download " + url + ": server answered " + std::to_string(status));
  if (!checksum.empty()) {
    std::string got = "sha256:" + sink.hash.FinishHex();
    if (got != checksum)
      return Fail(ErrorCode::kCorrupt, "digest mismatch for " + url + ": expected " + checksum +
                                           ", got " + got);
  }
  long filetime = -1;
  curl_easy_getinfo(curl.get(), CURLINFO_FILETIME, &filetime);
  if (filetime >= 0) {
    struct timespec ts[2] = {{filetime, 0}, {filetime, 0}};
    futimens(fd.get(), ts);
  }
  return {};
}

}  // namespace builder::executor
