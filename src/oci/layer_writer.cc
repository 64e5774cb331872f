// Layer tar writing: an iterative, sorted directory walk feeding libarchive's PAX writer.
#include "oci/layer_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "base/unique_fd.h"
#include "oci/tar_locale.h"

namespace builder::oci {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;
using EntryPtr = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

// One child of a directory being walked. `key` is its tar name relative to the directory
// (what the walk sorts by): "name/" for directories, ".wh.name" for whiteouts.
struct Item {
  std::string key;
  std::string name;  // on-disk name; empty for the synthetic opaque marker
};

constexpr std::uint32_t kOverflowId = 65534;

std::uint32_t ToContainer(const std::vector<IdRange>& map, std::uint32_t host) {
  if (map.empty()) return host;
  for (const IdRange& r : map) {
    if (host >= r.host_id && host - r.host_id < r.size) return r.container_id + (host - r.host_id);
  }
  return kOverflowId;
}

struct Frame {
  UniqueFd dir;
  std::string prefix;  // tar name prefix of the children: "" or "a/b/"
  struct stat st {};
  std::vector<Item> items;
  std::size_t next = 0;
};

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

// Overlay's own bookkeeping would steer overlayfs when the tree becomes a lower dir, and
// SELinux labels belong to the host, not the image.
bool SkippedXattr(std::string_view name) {
  return name.starts_with("trusted.overlay.") || name.starts_with("user.overlay.") ||
         name == "security.selinux";
}

bool IsWhiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == 0; }

// Reads one xattr value of fd (or of path when fd < 0, without following a final symlink).
Result<std::string> GetXattr(int fd, const std::string& path, const std::string& name) {
  for (;;) {
    ssize_t n = fd >= 0 ? fgetxattr(fd, name.c_str(), nullptr, 0)
                        : lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (n < 0) return FailErrno("getxattr " + name, errno);
    std::string value(static_cast<std::size_t>(n), '\0');
    ssize_t m = fd >= 0 ? fgetxattr(fd, name.c_str(), value.data(), value.size())
                        : lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (m < 0 && errno == ERANGE) continue;  // grew in between
    if (m < 0) return FailErrno("getxattr " + name, errno);
    value.resize(static_cast<std::size_t>(m));
    return value;
  }
}

// All xattrs but the overlay ones, sorted by name.
Result<std::vector<std::pair<std::string, std::string>>> ListXattrs(int fd,
                                                                     const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string names;
  for (;;) {
    ssize_t n = fd >= 0 ? flistxattr(fd, nullptr, 0) : llistxattr(path.c_str(), nullptr, 0);
    if (n < 0) {
      if (errno == ENOTSUP || errno == ENOENT) return out;
      return FailErrno("listxattr", errno);
    }
    names.assign(static_cast<std::size_t>(n), '\0');
    ssize_t m = fd >= 0 ? flistxattr(fd, names.data(), names.size())
                        : llistxattr(path.c_str(), names.data(), names.size());
    if (m < 0 && errno == ERANGE) continue;
    if (m < 0) return FailErrno("listxattr", errno);
    names.resize(static_cast<std::size_t>(m));
    break;
  }
  for (std::size_t i = 0; i < names.size();) {
    std::size_t end = names.find('\0', i);
    if (end == std::string::npos) end = names.size();
    std::string name = names.substr(i, end - i);
    i = end + 1;
    if (name.empty() || SkippedXattr(name)) continue;
    auto value = GetXattr(fd, path, name);
    if (!value) {
      if (value.error().sys_errno() == ENODATA) continue;  // removed meanwhile
      return Fail(std::move(value).error());
    }
    out.emplace_back(std::move(name), std::move(*value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool IsOpaque(int dir_fd) {
  for (const char* name : {"trusted.overlay.opaque", "user.overlay.opaque"}) {
    char v[4];
    ssize_t n = fgetxattr(dir_fd, name, v, sizeof v);
    if (n == 1 && v[0] == 'y') return true;
  }
  return false;
}

class Walker {
 public:
  Walker(const LayerWriteOptions& options, ByteSink& sink)
      : options_(options), sink_(sink), archive_(archive_write_new(), &archive_write_free) {}

  Result<LayerWriteStats> Run(int root_fd) {
    BUILDER_TRY(OpenArchive());
    Frame root;
    root.dir = UniqueFd(::openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.dir) return FailErrno("open source directory", errno);
    if (::fstat(root.dir.get(), &root.st) != 0) return FailErrno("stat source directory", errno);
    root.items = BUILDER_TRY(List(root.dir.get(), "", false));
    stack_.push_back(std::move(root));
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      if (top.next == top.items.size()) {
        stack_.pop_back();
        continue;
      }
      Item item = top.items[top.next++];
      const std::string tar_name = top.prefix + item.key;
      auto r = Visit(top, item, tar_name);
      if (!r) return Fail(std::move(r).error().Context("add " + tar_name));
    }
    if (archive_write_close(archive_.get()) != ARCHIVE_OK) return ArchiveError("finish tar");
    return stats_;
  }

 private:
  Result<void> OpenArchive() {
    archive* a = archive_.get();
    if (!a) return Fail(ErrorCode::kInternal, "archive_write_new failed");
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_set_options(a, "xattrheader=SCHILY") != ARCHIVE_OK ||
        // End with the two zero blocks only, not padded to a 10 KiB record.
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open2(a, this, nullptr, &Walker::WriteCallback, nullptr, nullptr) !=
            ARCHIVE_OK)
      return ArchiveError("start tar");
    return {};
  }

  static la_ssize_t WriteCallback(archive*, void* self, const void* buf, size_t len) {
    auto* w = static_cast<Walker*>(self);
    auto r = w->sink_.Write({static_cast<const std::uint8_t*>(buf), len});
    if (!r) {
      w->sink_error_ = std::move(r).error();
      return -1;
    }
    return static_cast<la_ssize_t>(len);
  }

  std::unexpected<Error> ArchiveError(std::string_view what) {
    if (sink_error_) return Fail(std::move(*sink_error_));
    const char* msg = archive_error_string(archive_.get());
    return Fail(ErrorCode::kInternal, std::string(what) + ": " + (msg ? msg : "libarchive error"));
  }

  // Lists and sorts a directory's children by their tar names.
  Result<std::vector<Item>> List(int dir_fd, const std::string& prefix, bool opaque) {
    int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return FailErrno("open " + prefix, errno);
    std::unique_ptr<DIR, DirCloser> dir(fdopendir(fd));
    if (!dir) {
      ::close(fd);
      return FailErrno("opendir " + prefix, errno);
    }
    std::vector<Item> items;
    if (opaque) items.push_back({std::string(kOpaqueMarker), ""});
    for (;;) {
      errno = 0;
      dirent* e = readdir(dir.get());
      if (!e) {
        if (errno) return FailErrno("readdir " + prefix, errno);
        break;
      }
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      struct stat st;
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return FailErrno("stat " + prefix + name, errno);
      std::string key = name;
      if (S_ISDIR(st.st_mode)) {
        key += '/';
      } else if (options_.overlay_upper && IsWhiteout(st)) {
        key = std::string(kWhiteoutPrefix) + name;
      }
      items.push_back({std::move(key), std::move(name)});
    }
    std::sort(items.begin(), items.end(),
              [](const Item& x, const Item& y) { return x.key < y.key; });
    return items;
  }

  EntryPtr NewEntry(const std::string& tar_name, const struct stat& st) {
    EntryPtr entry(archive_entry_new(), &archive_entry_free);
    archive_entry_copy_pathname(entry.get(), tar_name.c_str());
    archive_entry_set_mode(entry.get(), st.st_mode);
    archive_entry_set_uid(entry.get(), ToContainer(options_.uid_map, st.st_uid));
    archive_entry_set_gid(entry.get(), ToContainer(options_.gid_map, st.st_gid));
    std::int64_t mtime = st.st_mtim.tv_sec;
    if (options_.source_date_epoch && mtime > *options_.source_date_epoch)
      mtime = *options_.source_date_epoch;
    archive_entry_set_mtime(entry.get(), mtime, 0);
    return entry;
  }

  static void AddXattrs(archive_entry* entry,
                        const std::vector<std::pair<std::string, std::string>>& xattrs) {
    for (const auto& [name, value] : xattrs)
      archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
  }

  Result<void> WriteHeader(archive_entry* entry) {
    if (archive_write_header(archive_.get(), entry) < ARCHIVE_WARN)
      return ArchiveError("write header");
    ++stats_.entries;
    return {};
  }

  Result<void> Visit(Frame& parent, const Item& item, const std::string& tar_name) {
    if (item.name.empty()) {
      // The opaque marker: an empty file carrying the directory's owner, mode and time.
      struct stat st = parent.st;
      st.st_mode = S_IFREG | (st.st_mode & 0777);
      EntryPtr entry = NewEntry(tar_name, st);
      archive_entry_set_size(entry.get(), 0);
      return WriteHeader(entry.get());
    }
    const int dir_fd = parent.dir.get();
    struct stat st;
    if (::fstatat(dir_fd, item.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return FailErrno("stat", errno);

    if (S_ISDIR(st.st_mode)) {
      UniqueFd fd(::openat(dir_fd, item.name.c_str(),
                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd) return FailErrno("open", errno);
      if (::fstat(fd.get(), &st) != 0) return FailErrno("stat", errno);
      EntryPtr entry = NewEntry(tar_name, st);
      AddXattrs(entry.get(), BUILDER_TRY(ListXattrs(fd.get(), "")));
      BUILDER_TRY(WriteHeader(entry.get()));
      const bool opaque = options_.overlay_upper && IsOpaque(fd.get());
      Frame child;
      child.prefix = tar_name;
      child.st = st;
      child.items = BUILDER_TRY(List(fd.get(), tar_name, opaque));
      child.dir = std::move(fd);
      stack_.push_back(std::move(child));  // invalidates `parent`
      return {};
    }

    if (options_.overlay_upper && IsWhiteout(st)) {
      // Docker's convention: an empty 0600 file keeping the device's owner and time.
      st.st_mode = S_IFREG | 0600;
      EntryPtr entry = NewEntry(tar_name, st);
      archive_entry_set_size(entry.get(), 0);
      return WriteHeader(entry.get());
    }

    UniqueFd file;
    if (S_ISREG(st.st_mode)) {
      file = UniqueFd(::openat(dir_fd, item.name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!file) return FailErrno("open", errno);
      if (::fstat(file.get(), &st) != 0) return FailErrno("stat", errno);
      if (!S_ISREG(st.st_mode)) return Fail(ErrorCode::kCorrupt, "file changed type during walk");
    }
    EntryPtr entry = NewEntry(tar_name, st);

    if (st.st_nlink > 1) {
      auto [it, inserted] = links_.try_emplace({st.st_dev, st.st_ino}, tar_name);
      if (!inserted) {
        archive_entry_copy_hardlink(entry.get(), it->second.c_str());
        archive_entry_set_size(entry.get(), 0);
        return WriteHeader(entry.get());
      }
    }

    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      for (;;) {
        ssize_t n = ::readlinkat(dir_fd, item.name.c_str(), target.data(), target.size());
        if (n < 0) return FailErrno("readlink", errno);
        if (static_cast<std::size_t>(n) < target.size()) {
          target.resize(static_cast<std::size_t>(n));
          break;
        }
        target.resize(target.size() * 2);
      }
      archive_entry_copy_symlink(entry.get(), target.c_str());
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      archive_entry_set_rdevmajor(entry.get(), major(st.st_rdev));
      archive_entry_set_rdevminor(entry.get(), minor(st.st_rdev));
    } else if (S_ISREG(st.st_mode)) {
      archive_entry_set_size(entry.get(), st.st_size);
    } else if (!S_ISFIFO(st.st_mode)) {
      return Fail(ErrorCode::kUnsupported, "sockets cannot be stored in a layer");
    }

    if (file) {
      AddXattrs(entry.get(), BUILDER_TRY(ListXattrs(file.get(), "")));
    } else {
      // No fd for links, devices and fifos (opening a fifo would block): go through
      // /proc/self/fd/<dir>/<name>, where l*xattr does not follow the final component.
      std::string path = "/proc/self/fd/" + std::to_string(dir_fd) + "/" + item.name;
      AddXattrs(entry.get(), BUILDER_TRY(ListXattrs(-1, path)));
    }
    BUILDER_TRY(WriteHeader(entry.get()));
    if (file) BUILDER_TRY(CopyContent(file.get(), static_cast<std::uint64_t>(st.st_size)));
    return {};
  }

  Result<void> CopyContent(int fd, std::uint64_t size) {
    std::uint64_t left = size;
    while (left > 0) {
      ssize_t n = ::read(fd, buf_.data(), std::min<std::uint64_t>(left, buf_.size()));
      if (n < 0) {
        if (errno == EINTR) continue;
        return FailErrno("read", errno);
      }
      if (n == 0) return Fail(ErrorCode::kCorrupt, "file shrank while it was read");
      if (archive_write_data(archive_.get(), buf_.data(), static_cast<size_t>(n)) != n)
        return ArchiveError("write data");
      left -= static_cast<std::uint64_t>(n);
    }
    stats_.file_bytes += size;
    return {};
  }

  const LayerWriteOptions& options_;
  ByteSink& sink_;
  ArchivePtr archive_;
  std::optional<Error> sink_error_;
  std::vector<Frame> stack_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
  std::vector<char> buf_ = std::vector<char>(1 << 16);
  LayerWriteStats stats_;
};

}  // namespace

Result<LayerWriteStats> WriteLayer(int source_dir_fd, const LayerWriteOptions& options,
                                   ByteSink& sink) {
  ScopedUtf8Locale utf8;
  Walker walker(options, sink);
  return walker.Run(source_dir_fd);
}

Result<LayerWriteStats> WriteLayer(const std::string& source_dir, const LayerWriteOptions& options,
                                   ByteSink& sink) {
  UniqueFd fd(::open(source_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return FailErrno("open " + source_dir, errno);
  auto r = WriteLayer(fd.get(), options, sink);
  if (!r) return Fail(std::move(r).error().Context("write layer from " + source_dir));
  return r;
}

}  // namespace builder::oci
