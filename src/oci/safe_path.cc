// Entry-name cleaning and openat2 wrappers (glibc 2.36 has no openat2 wrapper).
#include "oci/safe_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/path.h"

namespace builder::oci {

static_assert(kResolveInRoot == RESOLVE_IN_ROOT && kResolveNoMagicLinks == RESOLVE_NO_MAGICLINKS &&
              kResolveNoSymlinks == RESOLVE_NO_SYMLINKS && kResolveBeneath == RESOLVE_BENEATH);

namespace {

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s.substr(0, 200)) {
    if (c == '\0') {
      out += "\\0";
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > 200) out += "...";
  return out + "\"";
}

}  // namespace

Result<std::string> CleanEntryName(std::string_view name) {
  if (name.empty()) return Fail(ErrorCode::kCorrupt, "empty entry name");
  if (name.find('\0') != std::string_view::npos)
    return Fail(ErrorCode::kCorrupt, "entry name " + Quote(name) + " contains NUL");
  if (name.size() > kMaxEntryPath)
    return Fail(ErrorCode::kCorrupt, "entry name too long (" + std::to_string(name.size()) +
                                         " bytes): " + Quote(name));
  // Check ".." against the raw components: "a/../.." must not become ".." silently, and
  // "a/../b" (which stays inside) is accepted as "b" like tar does.
  long depth = 0;
  std::size_t i = 0;
  while (i < name.size()) {
    std::size_t j = name.find('/', i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view part = name.substr(i, j - i);
    i = j + 1;
    if (part.size() > kMaxEntryComponent)
      return Fail(ErrorCode::kCorrupt, "entry name component too long: " + Quote(name));
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (--depth < 0)
        return Fail(ErrorCode::kCorrupt, "entry name " + Quote(name) + " escapes the root (..)");
      continue;
    }
    ++depth;
  }
  std::size_t start = name.find_first_not_of('/');
  if (start == std::string_view::npos) return std::string(".");
  return CleanPath(name.substr(start));
}

Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, mode_t mode,
                            std::uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  // The kernel rejects a mode without O_CREAT/O_TMPFILE.
  if (flags & (O_CREAT | __O_TMPFILE)) how.mode = mode;
  how.resolve = resolve;
  std::string p(path.empty() ? "." : path);
  for (;;) {
    long fd = ::syscall(SYS_openat2, root_fd, p.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    // EAGAIN: a concurrent rename raced RESOLVE_IN_ROOT's checks; the kernel asks to retry.
    if (errno == EINTR || errno == EAGAIN) continue;
    return FailErrno("open " + p, errno);
  }
}

Result<UniqueFd> OpenParentInRoot(int root_fd, std::string_view path, std::string* leaf,
                                  bool create, mode_t dir_mode, std::uint64_t resolve) {
  std::string clean = CleanPath(path);
  std::string parent = DirName(clean);
  if (leaf) *leaf = BaseName(clean);
  if (!create) return OpenInRoot(root_fd, parent, O_PATH | O_DIRECTORY, 0, resolve);
  return MkdirAllInRoot(root_fd, parent, dir_mode, resolve);
}

Result<UniqueFd> MkdirAllInRoot(int root_fd, std::string_view path, mode_t mode,
                                std::uint64_t resolve) {
  std::string clean = CleanPath(path);
  // Fast path: it exists already.
  auto fd = OpenInRoot(root_fd, clean, O_PATH | O_DIRECTORY, 0, resolve);
  if (fd || fd.error().sys_errno() != ENOENT) return fd;
  // Walk one prefix at a time, each resolved from the root (so symlinks mean the same as in a
  // single lookup), creating the missing component under the fd of the resolved prefix.
  UniqueFd cur = BUILDER_TRY(OpenInRoot(root_fd, ".", O_PATH | O_DIRECTORY, 0, resolve));
  std::size_t i = 0;
  while (i < clean.size()) {
    std::size_t j = clean.find('/', i);
    if (j == std::string::npos) j = clean.size();
    std::string part = clean.substr(i, j - i);
    i = j + 1;
    if (part == ".") continue;
    std::string prefix = clean.substr(0, j);
    auto next = OpenInRoot(root_fd, prefix, O_PATH | O_DIRECTORY, 0, resolve);
    if (!next && next.error().sys_errno() == ENOENT) {
      if (::mkdirat(cur.get(), part.c_str(), mode) != 0 && errno != EEXIST)
        return FailErrno("mkdir " + prefix, errno);
      next = OpenInRoot(cur.get(), part, O_PATH | O_DIRECTORY, 0, resolve);
    }
    if (!next) return Fail(std::move(next).error().Context("mkdir " + prefix));
    cur = std::move(*next);
  }
  return cur;
}

}  // namespace builder::oci
