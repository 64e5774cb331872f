// Temp-file-then-rename publishing for everything the store writes.
#include "base/staged_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "base/path.h"
#include "base/staging_lease.h"

namespace builder {

Result<StagedFile> StagedFile::Create(const std::string& dir, unsigned mode) {
  return CreateFromTemplate(JoinPath(dir, ".tmp-XXXXXX"), dir, mode);
}

Result<StagedFile> StagedFile::CreateLeased(const std::string& dir, unsigned mode) {
  return CreateFromTemplate(BUILDER_TRY(StagingTemplate(dir, ".tmp")), dir, mode);
}

Result<StagedFile> StagedFile::CreateFromTemplate(std::string path, const std::string& dir, unsigned mode) {
  int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return FailErrno("create temp file in " + dir, errno);
  if (::fchmod(fd, mode) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return FailErrno("chmod " + path, err);
  }
  return StagedFile(UniqueFd(fd), std::move(path));
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : fd_(std::move(other.fd_)), temp_path_(std::exchange(other.temp_path_, {})) {}

StagedFile::~StagedFile() {
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Result<void> StagedFile::Write(std::string_view data) { return WriteAll(fd_.get(), data, temp_path_); }

Result<void> StagedFile::Commit(const std::string& dest, bool durable) {
  if (temp_path_.empty()) return Fail(ErrorCode::kInternal, "staged file for " + dest + " already committed");
  if (durable && ::fsync(fd_.get()) != 0) return FailErrno("fsync " + temp_path_, errno);
  BUILDER_TRY(fd_.Close());
  if (::rename(temp_path_.c_str(), dest.c_str()) != 0) return FailErrno("rename to " + dest, errno);
  temp_path_.clear();
  if (!durable) return {};
  return SyncDirectory(DirName(dest));
}

Result<void> WriteAll(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno("write " + std::string(what), errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<void> SyncDirectory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return FailErrno("open directory " + dir, errno);
  if (::fsync(fd.get()) != 0) return FailErrno("fsync directory " + dir, errno);
  return {};
}

}  // namespace builder
