// WritePathTar: a depth-first walk by directory fds, each entry as a TarWriter header and data.
#include "runner/path_tar.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "base/path.h"
#include "base/unique_fd.h"
#include "oci/tar_locale.h"
#include "oci/tar_writer.h"

namespace builder::runner {
namespace {

using EntryPtr = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

Result<std::vector<std::string>> SortedNames(int dir_fd, const std::string& shown) {
  UniqueFd own(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!own) return FailErrno("read directory " + shown, errno);
  return ListDirectory(std::move(own), shown);
}

class PathTarWriter {
 public:
  explicit PathTarWriter(oci::TarWriter& tar) : tar_(tar), buf_(1 << 16) {}

  // Writes dir_fd/name as `tar_name` ("" = contents only), recursing into directories.
  Result<void> Add(int dir_fd, const std::string& name, bool follow, const std::string& tar_name) {
    // The unpacking side reads ".wh.<name>" as a whiteout: it would delete, not copy.
    std::size_t slash = tar_name.rfind('/');
    if (tar_name.compare(slash == std::string::npos ? 0 : slash + 1, 4, ".wh.") == 0) {
      return Fail(ErrorCode::kUnsupported, "cannot copy " + tar_name +
                                               ": names starting with .wh. are whiteouts in a layer");
    }
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
      return FailErrno("stat " + Shown(tar_name, name), errno);
    }
    if (S_ISSOCK(st.st_mode)) return {};
    EntryPtr entry(archive_entry_new(), &archive_entry_free);
    archive_entry_set_mode(entry.get(), st.st_mode);
    archive_entry_set_uid(entry.get(), st.st_uid);
    archive_entry_set_gid(entry.get(), st.st_gid);
    archive_entry_set_mtime(entry.get(), st.st_mtim.tv_sec, 0);
    UniqueFd fd;
    if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
      int flags = (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
      fd = UniqueFd(::openat(dir_fd, name.c_str(), flags));
      if (!fd) return FailErrno("open " + Shown(tar_name, name), errno);
      // The entry must still be what was stat'ed (no swap between the two calls).
      struct stat again {};
      if (::fstat(fd.get(), &again) != 0 || again.st_ino != st.st_ino || again.st_dev != st.st_dev) {
        return Fail(ErrorCode::kIo, Shown(tar_name, name) + " changed while it was copied");
      }
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
      if (n < 0) return FailErrno("readlink " + Shown(tar_name, name), errno);
      target.resize(static_cast<std::size_t>(n));
      archive_entry_copy_symlink(entry.get(), target.c_str());
      archive_entry_set_size(entry.get(), 0);
    } else if (S_ISREG(st.st_mode)) {
      archive_entry_set_size(entry.get(), st.st_size);
    } else {
      archive_entry_set_size(entry.get(), 0);
      if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) archive_entry_set_rdev(entry.get(), st.st_rdev);
    }
    if (!tar_name.empty()) {
      archive_entry_copy_pathname(entry.get(),
                                  (S_ISDIR(st.st_mode) ? tar_name + "/" : tar_name).c_str());
      BUILDER_TRY(tar_.WriteHeader(entry.get()));
    }
    if (S_ISREG(st.st_mode)) BUILDER_TRY(CopyData(fd.get(), st.st_size, tar_name));
    if (!S_ISDIR(st.st_mode)) return {};
    for (const std::string& child : BUILDER_TRY(SortedNames(fd.get(), Shown(tar_name, name)))) {
      BUILDER_TRY(Add(fd.get(), child, false, tar_name.empty() ? child : tar_name + "/" + child));
    }
    return {};
  }

 private:
  static std::string Shown(const std::string& tar_name, const std::string& name) {
    return tar_name.empty() ? name : tar_name;
  }

  Result<void> CopyData(int fd, off_t size, const std::string& shown) {
    off_t left = size;
    while (left > 0) {
      ssize_t n = ::read(fd, buf_.data(), std::min<std::size_t>(buf_.size(), static_cast<std::size_t>(left)));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return FailErrno("read " + shown, errno);
      if (n == 0) return Fail(ErrorCode::kIo, shown + " shrank while it was copied");
      BUILDER_TRY(tar_.WriteData({buf_.data(), static_cast<std::size_t>(n)}));
      left -= n;
    }
    return {};
  }

  oci::TarWriter& tar_;
  std::vector<std::uint8_t> buf_;
};

}  // namespace

Result<void> WritePathTar(int dir_fd, const std::string& name, bool follow, const std::string& top,
                          oci::ByteSink& sink) {
  oci::ScopedUtf8Locale locale;
  auto tar = BUILDER_TRY(oci::TarWriter::Create(sink));
  PathTarWriter writer(*tar);
  BUILDER_TRY(writer.Add(dir_fd, name, follow, top));
  return tar->Close();
}

}  // namespace builder::runner
