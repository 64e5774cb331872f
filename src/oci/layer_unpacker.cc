// Layer extraction: libarchive reads the verified, decompressed stream; every filesystem
// change goes through fds resolved inside the target (symlinks followed as the image's own
// processes would, never out of it) and never follows an entry's own final component.
#include "oci/layer_unpacker.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

#include "base/path.h"
#include "base/unique_fd.h"
#include "oci/safe_path.h"
#include "oci/tar_locale.h"

namespace builder::oci {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kWhiteoutMetaPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
// Lookups of physical paths (ResolvedDir::path, symlink-free by construction): a symlink met
// there means the tree changed under us, so none is crossed.
constexpr std::uint64_t kStrict = kResolveBeneath | kResolveNoSymlinks | kResolveNoMagicLinks;

using ReadArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

std::string Join(const std::string& dir, std::string_view name) {
  return dir == "." ? std::string(name) : dir + "/" + std::string(name);
}

// Overlay's own bookkeeping would steer overlayfs when the tree becomes a lower dir, and
// SELinux labels belong to the host, not the image.
bool SkippedXattr(std::string_view name) {
  return name.starts_with("trusted.overlay.") || name.starts_with("user.overlay.") ||
         name == "security.selinux";
}

// Directory metadata applied after every entry, so that a read-only directory or one whose
// contents change later still ends with the tar's mode and times.
struct DeferredDir {
  std::string path;
  mode_t mode;
  timespec times[2];
};

class Unpacker {
 public:
  Unpacker(int root_fd, const UnpackOptions& options, LayerBlobReader& reader)
      : root_(root_fd), options_(options), reader_(reader),
        archive_(archive_read_new(), &archive_read_free) {}

  Result<UnpackResult> Run() {
    archive* a = archive_.get();
    if (!a) return Fail(ErrorCode::kInternal, "archive_read_new failed");
    // Only tar, and no libarchive filters: decompression (and hashing) happen in the reader.
    if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
        archive_read_open2(a, this, nullptr, &Unpacker::ReadCallback, nullptr, nullptr) !=
            ARCHIVE_OK)
      return TarError("open tar");
    for (;;) {
      archive_entry* entry = nullptr;
      int rc = archive_read_next_header(a, &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) {
        auto e = TarError("read tar header");
        if (!last_name_.empty()) e.error().Context("after entry " + QuoteForMessage(last_name_));
        return e;
      }
      const char* name = archive_entry_pathname(entry);
      if (!name || !*name) {
        std::string where = last_name_.empty() ? "first entry" : "entry after " + QuoteForMessage(last_name_);
        return Fail(ErrorCode::kCorrupt, where + ": empty entry name");
      }
      last_name_ = name;
      auto r = Apply(entry, name);
      if (!r) return Fail(std::move(r).error().Context("entry " + QuoteForMessage(name)));
      ++result_.entries;
    }
    auto digests = reader_.DrainAndVerify();
    if (!digests) return Fail(std::move(digests).error());
    result_.digests = *digests;
    BUILDER_TRY(FinishDirs());
    if (chown_failures_)
      result_.warnings.push_back("ownership not preserved for " + std::to_string(chown_failures_) +
                                 " entries (not permitted), first " + QuoteForMessage(first_chown_));
    if (xattr_failures_)
      result_.warnings.push_back("xattrs not applied for " + std::to_string(xattr_failures_) +
                                 " entries, first " + QuoteForMessage(first_xattr_));
    return std::move(result_);
  }

 private:
  static la_ssize_t ReadCallback(archive*, void* self, const void** buf) {
    auto* u = static_cast<Unpacker*>(self);
    auto n = u->reader_.Read(u->buf_);
    if (!n) {
      u->read_error_ = std::move(n).error();
      return -1;
    }
    *buf = u->buf_.data();
    return static_cast<la_ssize_t>(*n);
  }

  // The stream's own error (truncation, digest) explains a libarchive failure best.
  std::unexpected<Error> TarError(std::string_view what) {
    if (read_error_) return Fail(*read_error_);
    const char* msg = archive_error_string(archive_.get());
    std::string text = msg ? msg : "malformed tar";
    // libarchive says "Truncated tar archive"; keep the word callers look for.
    return Fail(ErrorCode::kCorrupt, std::string(what) + ": " + text);
  }

  // Maps a failed lookup of a parent to a hostile-input error where that is what it is.
  static Error ParentError(Error e, const std::string& parent) {
    if (e.code() == ErrorCode::kCorrupt) return std::move(e).Context("parent " + QuoteForMessage(parent));
    if (e.sys_errno() == ENOTDIR)
      return Error(ErrorCode::kCorrupt, "parent " + QuoteForMessage(parent) + " is not a directory");
    return e;
  }

  // The directory for `parent`, created if missing. Tar entries come grouped by directory, so
  // the last one is kept, and resumed from for its subdirectories, until anything is removed
  // (the only way a resolution can change: names are only ever added where nothing was).
  Result<const ResolvedDir*> Parent(const std::string& parent) {
    if (parent_stale_) last_parent_.reset();
    parent_stale_ = false;
    if (last_parent_ && last_parent_->name == parent) return &*last_parent_;
    auto dir = ResolveDirInRoot(root_, parent, /*create=*/true, 0755,
                                last_parent_ ? &*last_parent_ : nullptr);
    if (!dir) return Fail(ParentError(std::move(dir).error(), parent));
    last_parent_ = std::move(*dir);
    return &*last_parent_;
  }

  struct HardlinkTarget {
    ResolvedDir dir;
    std::string base;
    std::string name;  // as the tar spells it
  };

  Result<void> Apply(archive_entry* entry, const std::string& raw_name) {
    std::string path = BUILDER_TRY(CleanEntryName(raw_name));
    if (path == ".") {
      if (archive_entry_filetype(entry) == AE_IFDIR && !archive_entry_hardlink(entry)) return {};
      return Fail(ErrorCode::kCorrupt, "entry would replace the root directory");
    }
    const std::string parent = DirName(path);
    const std::string base = BaseName(path);
    BUILDER_TRY(CheckNotInsideWhiteout(parent));
    if (base.starts_with(kWhiteoutPrefix)) return ApplyWhiteout(parent, base);

    const ResolvedDir& dir = *BUILDER_TRY(Parent(parent));
    const int pfd = dir.fd.get();
    // Where the entry really lands: bookkeeping (created_, deferred dirs) uses this spelling.
    const std::string real = Join(dir.path, base);

    const char* link_target = archive_entry_hardlink(entry);
    std::optional<HardlinkTarget> hardlink;
    if (link_target) {
      auto clean = CleanEntryName(link_target);
      if (!clean) return Fail(std::move(clean).error().Context("hardlink target"));
      auto tdir = ResolveDirInRoot(root_, DirName(*clean), /*create=*/false);
      if (!tdir) {
        if (Absent(tdir.error()))
          return Fail(ErrorCode::kCorrupt, "hardlink target " + QuoteForMessage(*clean) + " does not exist");
        return Fail(ParentError(std::move(tdir).error(), DirName(*clean))
                        .Context("hardlink target " + QuoteForMessage(*clean)));
      }
      if (Join(tdir->path, BaseName(*clean)) == real)
        return Fail(ErrorCode::kCorrupt, "hardlink to itself");
      hardlink = HardlinkTarget{std::move(*tdir), BaseName(*clean), *clean};
    }

    const mode_t type = archive_entry_filetype(entry);
    struct stat existing;
    if (::fstatat(pfd, base.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0) {
      const bool dir_over_dir = S_ISDIR(existing.st_mode) && type == AE_IFDIR && !hardlink;
      if (!dir_over_dir) BUILDER_TRY(RemoveTree(pfd, base, real, /*keep_created=*/false));
    } else if (errno != ENOENT) {
      return FailErrno("stat", errno);
    }
    created_.insert(real);

    if (hardlink) return MakeHardlink(pfd, base, *hardlink);
    switch (type) {
      case AE_IFDIR: return MakeDir(entry, pfd, base, real);
      case AE_IFREG: return MakeFile(entry, pfd, base, real);
      case AE_IFLNK: return MakeSymlink(entry, pfd, base, real);
      case AE_IFCHR:
      case AE_IFBLK:
      case AE_IFIFO: return MakeNode(entry, pfd, base, real);
      default:
        return Fail(ErrorCode::kCorrupt, "unsupported entry type " + std::to_string(type));
    }
  }

  Result<void> ApplyWhiteout(const std::string& parent, const std::string& base) {
    if (base == kOpaqueMarker) return ApplyOpaque(parent);
    if (base.starts_with(kWhiteoutMetaPrefix)) {
      result_.warnings.push_back("skipped aufs metadata entry " + QuoteForMessage(Join(parent, base)));
      return {};
    }
    std::string victim = base.substr(kWhiteoutPrefix.size());
    if (victim.empty() || victim == "." || victim == "..")
      return Fail(ErrorCode::kCorrupt, "invalid whiteout name " + QuoteForMessage(base) +
                                           " (would remove the directory or its parent)");
    auto dir = ResolveDirInRoot(root_, parent, /*create=*/false);
    if (!dir) {
      if (Absent(dir.error())) return {};  // nothing below to hide
      return Fail(ParentError(std::move(dir).error(), parent));
    }
    const std::string path = Join(dir->path, victim);
    if (created_.count(path)) return {};  // whiteouts hide lower layers only
    return RemoveTree(dir->fd.get(), victim, path, /*keep_created=*/true);
  }

  Result<void> ApplyOpaque(const std::string& name) {
    auto dir = ResolveDirInRoot(root_, name, /*create=*/false);
    if (!dir) {
      if (Absent(dir.error())) return {};  // no lower directory to empty
      return Fail(ParentError(std::move(dir).error(), name));
    }
    for (const std::string& child : BUILDER_TRY(ListDir(dir->fd.get(), dir->path)))
      BUILDER_TRY(RemoveTree(dir->fd.get(), child, Join(dir->path, child), /*keep_created=*/true));
    return {};
  }

  // A lookup that found nothing there (as opposed to something hostile).
  static bool Absent(const Error& e) {
    return e.code() != ErrorCode::kCorrupt && (e.sys_errno() == ENOENT || e.sys_errno() == ENOTDIR);
  }

  static Result<std::vector<std::string>> ListDir(int dir_fd, const std::string& path) {
    int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return FailErrno("open " + path, errno);
    std::unique_ptr<DIR, DirCloser> d(fdopendir(fd));
    if (!d) {
      ::close(fd);
      return FailErrno("opendir " + path, errno);
    }
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      dirent* e = readdir(d.get());
      if (!e) {
        if (errno) return FailErrno("readdir " + path, errno);
        return names;
      }
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
  }

  // Removes parent_fd/name (path relative to the root). With keep_created, entries this layer
  // made survive, and so do the directories holding them. Iterative: depth is not bounded by
  // the stack.
  Result<void> RemoveTree(int parent_fd, const std::string& name, const std::string& path,
                          bool keep_created) {
    parent_stale_ = true;  // not reset(): the caller may still hold the fd
    auto kept = [&](const std::string& p) { return keep_created && created_.count(p) > 0; };
    if (kept(path)) return {};
    struct stat st;
    if (::fstatat(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return {};
      return FailErrno("stat " + path, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      if (::unlinkat(parent_fd, name.c_str(), 0) != 0 && errno != ENOENT)
        return FailErrno("remove " + path, errno);
      return {};
    }
    struct Pending {
      std::string path;
      bool listed;
    };
    std::vector<Pending> stack{{path, false}};
    while (!stack.empty()) {
      if (!stack.back().listed) {
        stack.back().listed = true;
        const std::string dir = stack.back().path;
        auto fd = OpenInRoot(root_, dir, O_RDONLY | O_DIRECTORY, 0, kStrict);
        if (!fd) return Fail(std::move(fd).error().Context("remove " + dir));
        for (const std::string& child : BUILDER_TRY(ListDir(fd->get(), dir))) {
          std::string child_path = dir + "/" + child;
          if (kept(child_path)) continue;
          if (::fstatat(fd->get(), child.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return FailErrno("stat " + child_path, errno);
          if (S_ISDIR(st.st_mode)) {
            stack.push_back({std::move(child_path), false});
          } else if (::unlinkat(fd->get(), child.c_str(), 0) != 0) {
            return FailErrno("remove " + child_path, errno);
          }
        }
        continue;
      }
      const std::string dir = std::move(stack.back().path);
      stack.pop_back();
      if (kept(dir)) continue;
      auto pfd = OpenInRoot(root_, DirName(dir), O_PATH | O_DIRECTORY, 0, kStrict);
      if (!pfd) return Fail(std::move(pfd).error().Context("remove " + dir));
      if (::unlinkat(pfd->get(), BaseName(dir).c_str(), AT_REMOVEDIR) != 0) {
        // A directory still holding this layer's entries stays.
        if (keep_created && (errno == ENOTEMPTY || errno == EEXIST)) continue;
        return FailErrno("remove " + dir, errno);
      }
    }
    return {};
  }

  static void Times(archive_entry* entry, timespec out[2]) {
    out[1] = {static_cast<time_t>(archive_entry_mtime(entry)), archive_entry_mtime_nsec(entry)};
    out[0] = archive_entry_atime_is_set(entry)
                 ? timespec{static_cast<time_t>(archive_entry_atime(entry)),
                            archive_entry_atime_nsec(entry)}
                 : out[1];
  }

  // Times of (dir fd, name) itself, never of what a symlink there points at.
  static Result<void> SetTimesAt(archive_entry* entry, int pfd, const std::string& base) {
    timespec times[2];
    Times(entry, times);
    if (::utimensat(pfd, base.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
      return FailErrno("set times", errno);
    return {};
  }

  // chown by fd, or by (dir fd, name) without following a symlink when fd < 0.
  Result<void> Chown(archive_entry* entry, int fd, int dir_fd, const std::string& name,
                     const std::string& path) {
    if (!options_.preserve_ownership) return {};
    const uid_t uid = static_cast<uid_t>(archive_entry_uid(entry));
    const gid_t gid = static_cast<gid_t>(archive_entry_gid(entry));
    int rc = fd >= 0 ? ::fchown(fd, uid, gid)
                     : ::fchownat(dir_fd, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    if (rc == 0) return {};
    if (errno == EPERM || errno == EINVAL) {
      if (chown_failures_++ == 0) first_chown_ = path;
      return {};
    }
    return FailErrno("chown", errno);
  }

  // Applies xattrs via fd, or via /proc/self/fd/<dir>/<name> (not following a final symlink).
  Result<void> SetXattrs(archive_entry* entry, int fd, int dir_fd, const std::string& name,
                         const std::string& path) {
    if (archive_entry_xattr_reset(entry) == 0) return {};
    const char* key;
    const void* value;
    size_t size;
    const std::string proc = "/proc/self/fd/" + std::to_string(dir_fd) + "/" + name;
    while (archive_entry_xattr_next(entry, &key, &value, &size) == ARCHIVE_OK) {
      if (!key || SkippedXattr(key)) {
        result_.warnings.push_back("ignored xattr " + QuoteForMessage(key ? key : "") + " on " +
                                   QuoteForMessage(path));
        continue;
      }
      int rc = fd >= 0 ? ::fsetxattr(fd, key, value, size, 0)
                       : ::lsetxattr(proc.c_str(), key, value, size, 0);
      if (rc != 0) {
        if (errno == EPERM || errno == ENOTSUP || errno == EACCES || errno == ENOENT ||
            errno == EINVAL) {
          if (xattr_failures_++ == 0) first_xattr_ = path + " (" + key + ")";
          continue;
        }
        return FailErrno(std::string("setxattr ") + key, errno);
      }
    }
    return {};
  }

  Result<void> MakeDir(archive_entry* entry, int pfd, const std::string& base,
                       const std::string& path) {
    // Owner rwx until FinishDirs, so a read-only directory can still be filled.
    if (::mkdirat(pfd, base.c_str(), 0700) != 0 && errno != EEXIST)
      return FailErrno("mkdir", errno);
    UniqueFd fd(::openat(pfd, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return FailErrno("open", errno);
    BUILDER_TRY(Chown(entry, fd.get(), pfd, base, path));
    BUILDER_TRY(SetXattrs(entry, fd.get(), pfd, base, path));
    if (::fchmod(fd.get(), (archive_entry_mode(entry) & 07777) | S_IRWXU) != 0)
      return FailErrno("chmod", errno);
    DeferredDir d{path, static_cast<mode_t>(archive_entry_mode(entry) & 07777), {}};
    Times(entry, d.times);
    dirs_.push_back(std::move(d));
    return {};
  }

  Result<void> MakeFile(archive_entry* entry, int pfd, const std::string& base,
                        const std::string& path) {
    UniqueFd fd(::openat(pfd, base.c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return FailErrno("create", errno);
    for (;;) {
      la_ssize_t n = archive_read_data(archive_.get(), data_.data(), data_.size());
      if (n == 0) break;
      if (n < 0) return TarError("read data");
      std::span<const std::uint8_t> chunk(data_.data(), static_cast<std::size_t>(n));
      while (!chunk.empty()) {
        ssize_t w = ::write(fd.get(), chunk.data(), chunk.size());
        if (w < 0) {
          if (errno == EINTR) continue;
          return FailErrno("write", errno);
        }
        chunk = chunk.subspan(static_cast<std::size_t>(w));
      }
    }
    BUILDER_TRY(Chown(entry, fd.get(), pfd, base, path));
    // After chown, which clears setuid/setgid.
    if (::fchmod(fd.get(), archive_entry_mode(entry) & 07777) != 0)
      return FailErrno("chmod", errno);
    BUILDER_TRY(SetXattrs(entry, fd.get(), pfd, base, path));
    timespec times[2];
    Times(entry, times);
    if (::futimens(fd.get(), times) != 0) return FailErrno("set times", errno);
    return fd.Close();
  }

  Result<void> MakeSymlink(archive_entry* entry, int pfd, const std::string& base,
                           const std::string& path) {
    const char* target = archive_entry_symlink(entry);
    if (!target || !*target) return Fail(ErrorCode::kCorrupt, "symlink without a target");
    if (std::string_view(target).size() > kMaxEntryPath)
      return Fail(ErrorCode::kCorrupt, "symlink target too long");
    // Stored as-is: it is only ever resolved inside a container's root, never by us.
    if (::symlinkat(target, pfd, base.c_str()) != 0) return FailErrno("symlink", errno);
    BUILDER_TRY(Chown(entry, -1, pfd, base, path));
    BUILDER_TRY(SetXattrs(entry, -1, pfd, base, path));
    return SetTimesAt(entry, pfd, base);
  }

  Result<void> MakeNode(archive_entry* entry, int pfd, const std::string& base,
                        const std::string& path) {
    const mode_t type = archive_entry_filetype(entry);
    const mode_t perm = archive_entry_mode(entry) & 07777;
    if (type == AE_IFIFO) {
      if (::mkfifoat(pfd, base.c_str(), 0600) != 0) return FailErrno("mkfifo", errno);
    } else {
      dev_t dev = makedev(archive_entry_rdevmajor(entry), archive_entry_rdevminor(entry));
      if (::mknodat(pfd, base.c_str(), type | 0600, dev) != 0) {
        if (errno == EPERM) {
          created_.erase(path);
          result_.warnings.push_back("skipped device node " + QuoteForMessage(path) +
                                     " (mknod not permitted)");
          return {};
        }
        return FailErrno("mknod", errno);
      }
    }
    BUILDER_TRY(Chown(entry, -1, pfd, base, path));
    // Nodes cannot be opened safely (a fifo blocks); fchmodat on the name we just made.
    if (::fchmodat(pfd, base.c_str(), perm, 0) != 0) return FailErrno("chmod", errno);
    BUILDER_TRY(SetXattrs(entry, -1, pfd, base, path));
    return SetTimesAt(entry, pfd, base);
  }

  // The target's directory was resolved before the entry's old path was removed; if that
  // removal took the target with it, the target no longer exists.
  Result<void> MakeHardlink(int pfd, const std::string& base, const HardlinkTarget& target) {
    const int tfd = target.dir.fd.get();
    struct stat st;
    if (::fstatat(tfd, target.base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT)
        return Fail(ErrorCode::kCorrupt,
                    "hardlink target " + QuoteForMessage(target.name) + " does not exist");
      return FailErrno("stat hardlink target", errno);
    }
    if (S_ISDIR(st.st_mode))
      return Fail(ErrorCode::kCorrupt,
                  "hardlink target " + QuoteForMessage(target.name) + " is a directory");
    // No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself.
    if (::linkat(tfd, target.base.c_str(), pfd, base.c_str(), 0) != 0)
      return FailErrno("link", errno);
    return {};
  }

  Result<void> FinishDirs() {
    for (const DeferredDir& d : dirs_) {
      auto fd = OpenInRoot(root_, d.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, kStrict);
      if (!fd) continue;  // replaced or removed by a later entry
      if (::fchmod(fd->get(), d.mode) != 0) return FailErrno("chmod " + d.path, errno);
      if (::futimens(fd->get(), d.times) != 0) return FailErrno("set times " + d.path, errno);
    }
    return {};
  }

  const int root_;
  const UnpackOptions& options_;
  LayerBlobReader& reader_;
  ReadArchivePtr archive_;
  std::vector<std::uint8_t> buf_ = std::vector<std::uint8_t>(1 << 16);   // libarchive's input
  std::vector<std::uint8_t> data_ = std::vector<std::uint8_t>(1 << 16);  // file contents out
  std::optional<Error> read_error_;
  std::string last_name_;
  std::unordered_set<std::string> created_;  // paths this layer made (whiteouts spare them)
  std::vector<DeferredDir> dirs_;
  std::optional<ResolvedDir> last_parent_;  // Parent()'s cache
  bool parent_stale_ = false;
  UnpackResult result_;
  std::uint64_t chown_failures_ = 0;
  std::string first_chown_;
  std::uint64_t xattr_failures_ = 0;
  std::string first_xattr_;
};

}  // namespace

Result<UnpackResult> UnpackLayer(int blob_fd, Compression compression,
                                 const LayerExpectation& expect, int target_dir_fd,
                                 const UnpackOptions& options) {
  ScopedUtf8Locale utf8;
  auto reader = BUILDER_TRY(LayerBlobReader::Open(blob_fd, compression, expect));
  Unpacker unpacker(target_dir_fd, options, *reader);
  auto r = unpacker.Run();
  if (!r) {
    std::string what = "unpack layer";
    if (!expect.digest.empty()) what += " " + expect.digest.str().substr(0, 19);
    return Fail(std::move(r).error().Context(what));
  }
  return r;
}

Result<UnpackResult> UnpackLayer(int blob_fd, Compression compression,
                                 const LayerExpectation& expect, const std::string& target_dir,
                                 const UnpackOptions& options) {
  UniqueFd fd(::open(target_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return FailErrno("open " + target_dir, errno);
  return UnpackLayer(blob_fd, compression, expect, fd.get(), options);
}

}  // namespace builder::oci
