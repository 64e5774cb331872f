// ADD <url>: downloading a remote file and checking --checksum.
#include "executor/url_fetch.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/staged_file.h"
#include "base/unique_fd.h"
#include "oci/byte_stream.h"
#include "registry/url_fetcher.h"

namespace builder::executor {
namespace {

// Writes the download to its file and hashes it on the way, for --checksum.
class HashingFileSink final : public oci::ByteSink {
 public:
  explicit HashingFileSink(int fd) : fd_(fd) {}
  Result<void> Write(std::span<const std::uint8_t> bytes) override {
    std::string_view view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    BUILDER_TRY(WriteAll(fd_, view, "download"));
    hash_.Update(bytes);
    return {};
  }
  Result<void> Close() override { return {}; }
  std::string Digest() { return "sha256:" + hash_.FinishHex(); }

 private:
  int fd_;
  Sha256 hash_;
};

}  // namespace

bool IsUrl(std::string_view source) {
  return source.starts_with("http://") || source.starts_with("https://");
}

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

Result<FetchedUrl> FetchUrlToTemp(const std::string& url, const std::string& tmp_dir,
                                  Progress* progress) {
  StagedFile file = BUILDER_TRY(StagedFile::CreateLeased(tmp_dir, 0600));
  HashingFileSink sink(file.fd());
  registry::FetchInfo info = BUILDER_TRY(registry::FetchUrl(url, sink, progress));
  std::string digest = sink.Digest();
  return FetchedUrl{std::move(file), std::move(digest), info.last_modified};
}

Result<void> PlaceFetchedUrl(const FetchedUrl& fetched, const std::string& host_path) {
  UniqueFd in(open(fetched.file.temp_path().c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) return FailErrno("open download " + fetched.file.temp_path(), errno);
  UniqueFd out(
      open(host_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!out) return FailErrno("create " + host_path, errno);
  for (;;) {
    ssize_t n = sendfile(out.get(), in.get(), nullptr, 1 << 30);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno("copy download to " + host_path, errno);
    }
    if (n == 0) break;
  }
  if (fetched.last_modified) {
    struct timespec ts[2] = {{static_cast<time_t>(*fetched.last_modified), 0},
                             {static_cast<time_t>(*fetched.last_modified), 0}};
    if (futimens(out.get(), ts) != 0) return FailErrno("set times of " + host_path, errno);
  }
  return {};
}

Result<void> FetchUrlToFile(const std::string& url, const std::string& host_path,
                            const std::string& checksum) {
  UniqueFd fd(open(host_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return FailErrno("create " + host_path, errno);
  HashingFileSink sink(fd.get());
  registry::FetchInfo info = BUILDER_TRY(registry::FetchUrl(url, sink));
  if (!checksum.empty()) {
    std::string got = sink.Digest();
    if (got != checksum)
      return Fail(ErrorCode::kCorrupt, "digest mismatch for " + url + ": expected " + checksum +
                                           ", got " + got);
  }
  if (info.last_modified) {
    struct timespec ts[2] = {{static_cast<time_t>(*info.last_modified), 0},
                             {static_cast<time_t>(*info.last_modified), 0}};
    futimens(fd.get(), ts);
  }
  return {};
}

}  // namespace builder::executor
