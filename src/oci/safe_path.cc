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
#include "oci/path_components.h"

namespace builder::oci {

static_assert(kResolveInRoot == RESOLVE_IN_ROOT && kResolveNoMagicLinks == RESOLVE_NO_MAGICLINKS &&
              kResolveNoSymlinks == RESOLVE_NO_SYMLINKS && kResolveBeneath == RESOLVE_BENEATH);

Result<void> CheckNotInsideWhiteout(std::string_view parent) {
  if (parent == ".") return {};
  for (std::string_view rest = parent;;) {
    std::size_t slash = rest.find('/');
    if (rest.substr(0, slash).starts_with(".wh."))
      return Fail(ErrorCode::kCorrupt, "path lies inside a whiteout entry");
    if (slash == std::string_view::npos) return {};
    rest.remove_prefix(slash + 1);
  }
}

Result<std::string> CleanEntryName(std::string_view name) {
  if (name.empty()) return Fail(ErrorCode::kCorrupt, "empty entry name");
  if (name.find('\0') != std::string_view::npos)
    return Fail(ErrorCode::kCorrupt, "entry name " + QuoteForMessage(name) + " contains NUL");
  if (name.size() > kMaxEntryPath)
    return Fail(ErrorCode::kCorrupt, "entry name too long (" + std::to_string(name.size()) +
                                         " bytes): " + QuoteForMessage(name));
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
      return Fail(ErrorCode::kCorrupt, "entry name component too long: " + QuoteForMessage(name));
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (--depth < 0)
        return Fail(ErrorCode::kCorrupt, "entry name " + QuoteForMessage(name) + " escapes the root (..)");
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

bool ClimbsAbove(std::string_view target, std::size_t depth) {
  long d = target.starts_with('/') ? 0 : static_cast<long>(depth);
  std::size_t i = 0;
  while (i < target.size()) {
    std::size_t j = target.find('/', i);
    if (j == std::string_view::npos) j = target.size();
    std::string_view part = target.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (--d < 0) return true;
    } else {
      ++d;
    }
  }
  return false;
}

std::unexpected<Error> PointsOutside(std::string_view link, std::string_view target) {
  return Fail(ErrorCode::kCorrupt, "through symlink " + QuoteForMessage(link) + " (-> " + QuoteForMessage(target) +
                                       ") which points outside the root");
}

namespace {

// Lookups of one component below a directory we already hold: nothing may be crossed.
constexpr std::uint64_t kOneStep = kResolveBeneath | kResolveNoSymlinks | kResolveNoMagicLinks;

std::string JoinParts(const std::vector<std::string>& parts) {
  if (parts.empty()) return ".";
  std::string out = parts[0];
  for (std::size_t i = 1; i < parts.size(); ++i) out += "/" + parts[i];
  return out;
}

std::string Child(const std::vector<std::string>& parts, const std::string& name) {
  return parts.empty() ? name : JoinParts(parts) + "/" + name;
}

Result<std::string> ReadLink(int link_fd, const std::string& where) {
  std::string buf(kMaxEntryPath + 1, '\0');
  ssize_t n = ::readlinkat(link_fd, "", buf.data(), buf.size());
  if (n < 0) return FailErrno("readlink " + where, errno);
  if (static_cast<std::size_t>(n) >= buf.size())
    return FailErrno("readlink " + where, ENAMETOOLONG);
  // An empty target resolves to nothing, as in the kernel.
  if (n == 0) return FailErrno("resolve " + where, ENOENT);
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

}  // namespace

void PushComponents(std::string_view path, int origin, std::vector<PathComponent>& todo) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (!part.empty() && part != ".") parts.push_back(part);
    i = j + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it)
    todo.push_back({std::string(*it), origin});
}


Result<ResolvedDir> ResolveDirInRoot(int root_fd, std::string_view path, bool create,
                                     mode_t mode, const ResolvedDir* near) {
  if (ClimbsAbove(path, 0))
    return Fail(ErrorCode::kCorrupt, "path " + QuoteForMessage(path) + " escapes the root (..)");
  // Not CleanPath: ".." after a symlink is physical, so it must survive until the walk.
  std::vector<PathComponent> todo;
  PushComponents(path, -1, todo);
  std::string name;
  for (auto it = todo.rbegin(); it != todo.rend(); ++it)
    name += (name.empty() ? "" : "/") + it->name;
  if (name.empty()) name = ".";
  todo.clear();
  std::vector<std::string> links;  // each followed symlink's own path, for messages
  std::vector<std::string> targets;
  std::vector<std::string> at;     // the current directory's physical components
  UniqueFd cur;
  std::string_view rest = name;
  if (near && (near->name == "." || name == near->name || name.starts_with(near->name + "/"))) {
    cur = UniqueFd(::fcntl(near->fd.get(), F_DUPFD_CLOEXEC, 0));
    if (!cur) return FailErrno("dup", errno);
    if (near->path != ".") {
      std::vector<PathComponent> parts;
      PushComponents(near->path, -1, parts);
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) at.push_back(std::move(it->name));
    }
    rest.remove_prefix(near->name == "." ? 0 : near->name.size());
  } else {
    cur = BUILDER_TRY(OpenInRoot(root_fd, ".", O_PATH | O_DIRECTORY, 0, kOneStep));
  }
  PushComponents(rest, -1, todo);
  int follows = 0;
  while (!todo.empty()) {
    PathComponent next = std::move(todo.back());
    todo.pop_back();
    if (next.name == "..") {
      if (at.empty()) {
        // Only a followed link can bring us here: the path itself was checked above.
        if (next.origin < 0)
          return Fail(ErrorCode::kCorrupt, "path " + QuoteForMessage(path) + " escapes the root (..)");
        return PointsOutside(links[next.origin], targets[next.origin]);
      }
      at.pop_back();
      cur = BUILDER_TRY(OpenInRoot(root_fd, JoinParts(at), O_PATH | O_DIRECTORY, 0, kOneStep));
      continue;
    }
    const std::string where = Child(at, next.name);
    auto fd = OpenInRoot(cur.get(), next.name, O_PATH | O_NOFOLLOW, 0, kOneStep);
    if (!fd && fd.error().sys_errno() == ENOENT && create) {
      if (::mkdirat(cur.get(), next.name.c_str(), mode) != 0 && errno != EEXIST)
        return FailErrno("mkdir " + where, errno);
      fd = OpenInRoot(cur.get(), next.name, O_PATH | O_NOFOLLOW, 0, kOneStep);
    }
    if (!fd) return FailErrno("open " + where, fd.error().sys_errno());
    struct stat st;
    if (::fstat(fd->get(), &st) != 0) return FailErrno("stat " + where, errno);
    if (S_ISDIR(st.st_mode)) {
      at.push_back(std::move(next.name));
      cur = std::move(*fd);
      continue;
    }
    if (!S_ISLNK(st.st_mode)) return FailErrno("open " + where, ENOTDIR);
    if (++follows > kMaxSymlinkFollows)
      return std::unexpected(Error(ErrorCode::kCorrupt,
                                   "more than " + std::to_string(kMaxSymlinkFollows) +
                                       " symlinks to follow at " + QuoteForMessage(where) + " (a loop?)",
                                   ELOOP));
    std::string target = BUILDER_TRY(ReadLink(fd->get(), where));
    if (ClimbsAbove(target, at.size())) return PointsOutside(where, target);
    if (target.starts_with('/')) {
      at.clear();
      cur = BUILDER_TRY(OpenInRoot(root_fd, ".", O_PATH | O_DIRECTORY, 0, kOneStep));
    }
    links.push_back(where);
    PushComponents(target, static_cast<int>(links.size() - 1), todo);
    targets.push_back(std::move(target));
  }

  // The kernel resolves the same path again, clamped to the root; the two must agree.
  auto confined = OpenInRoot(root_fd, name, O_PATH | O_DIRECTORY, 0,
                             kResolveInRoot | kResolveNoMagicLinks);
  if (!confined) {
    if (confined.error().sys_errno() == ELOOP)
      return std::unexpected(Error(ErrorCode::kCorrupt,
                                   "path " + QuoteForMessage(path) + " crosses a /proc magic link", ELOOP));
    return Fail(std::move(confined).error());
  }
  struct stat walked, kernel;
  if (::fstat(cur.get(), &walked) != 0 || ::fstat(confined->get(), &kernel) != 0)
    return FailErrno("stat " + QuoteForMessage(path), errno);
  if (walked.st_dev != kernel.st_dev || walked.st_ino != kernel.st_ino)
    return Fail(ErrorCode::kCorrupt,
                "path " + QuoteForMessage(path) + " resolved differently by the kernel (changed meanwhile?)");
  return ResolvedDir{std::move(*confined), JoinParts(at), name};
}

}  // namespace builder::oci
