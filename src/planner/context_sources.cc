// The build-context entries a COPY/ADD source names: wildcards expanded, symlinks resolved.
#include "planner/context_sources.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "base/path.h"
#include "oci/safe_path.h"

namespace builder::planner {
namespace {

Result<bool> Ignored(const filespec::PatternMatcher* ignore, const std::string& rel) {
  if (!ignore || rel.empty() || rel == ".") return false;
  return ignore->MatchesOrParentMatches(rel);
}

// lstat of a context path whose parent is resolved inside the context, so a symlinked parent
// never leads to the host. False when it does not exist.
Result<bool> StatInContext(int ctx_fd, const std::string& rel, struct stat* st) {
  if (rel == ".") {
    if (::fstat(ctx_fd, st) != 0) return FailErrno("stat context", errno);
    return true;
  }
  auto parent = oci::OpenInRoot(ctx_fd, DirName(rel), O_PATH | O_DIRECTORY);
  if (!parent) {
    int err = parent.error().sys_errno();
    if (err == ENOENT || err == ENOTDIR) return false;
    return Fail(std::move(parent.error()).Context("stat " + rel));
  }
  if (::fstatat(parent->get(), BaseName(rel).c_str(), st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return FailErrno("stat " + rel, errno);
  }
  return true;
}

// The names in the context directory rel (symlinks resolved inside the context), sorted;
// empty when rel is not a directory.
Result<std::vector<std::string>> ListIfDir(int ctx_fd, const std::string& rel) {
  auto fd = oci::OpenInRoot(ctx_fd, rel, O_RDONLY | O_DIRECTORY);
  if (!fd) {
    int err = fd.error().sys_errno();
    if (err == ENOENT || err == ENOTDIR) return std::vector<std::string>{};
    return Fail(std::move(fd.error()).Context("list " + rel));
  }
  return ListDirectory(std::move(*fd), rel);
}

// Context paths matching a pattern, one component at a time.
Result<std::vector<std::string>> Glob(int ctx_fd, const std::string& pattern,
                                      const filespec::PatternMatcher* ignore) {
  std::vector<std::string> current = {"."};
  std::size_t i = 0;
  while (i < pattern.size()) {
    std::size_t j = pattern.find('/', i);
    if (j == std::string::npos) j = pattern.size();
    std::string part = pattern.substr(i, j - i);
    i = j + 1;
    if (part.empty()) continue;
    std::vector<std::string> next;
    for (const std::string& base : current) {
      auto join = [&](const std::string& name) { return base == "." ? name : base + "/" + name; };
      if (!HasWildcard(part)) {
        struct stat st;
        if (BUILDER_TRY(StatInContext(ctx_fd, join(part), &st))) next.push_back(join(part));
        continue;
      }
      for (const std::string& name : BUILDER_TRY(ListIfDir(ctx_fd, base))) {
        if (::fnmatch(part.c_str(), name.c_str(), FNM_PATHNAME) == 0) next.push_back(join(name));
      }
    }
    current = std::move(next);
  }
  std::vector<std::string> out;
  for (std::string& p : current) {
    if (p != "." && !BUILDER_TRY(Ignored(ignore, p))) out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> Components(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out.empty() ? "." : out;
}

// `rel` with every symlink on the way resolved as if the context were the root directory (an
// absolute target starts again at the context, ".." stops there), so the answer is a
// symlink-free context path. Where a component is missing (or not a directory) the rest is
// appended unresolved: such a path does not exist and reading it fails as "not found".
Result<std::string> ResolveInContext(int ctx_fd, const std::string& rel) {
  std::vector<std::string> done;
  std::vector<std::string> todo = Components(rel);
  std::reverse(todo.begin(), todo.end());  // a stack: the next component is at the back
  int follows = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    // The rest cannot resolve: keep it as written, so reading it fails as "not found".
    auto missing = [&] {
      done.push_back(std::move(part));
      while (!todo.empty()) {
        done.push_back(std::move(todo.back()));
        todo.pop_back();
      }
      std::string clean = CleanPath("/" + Join(done));  // ".." stops at the context root
      return clean == "/" ? std::string(".") : clean.substr(1);
    };
    // Everything in `done` is a real directory: open it without following anything.
    auto parent = oci::OpenInRoot(ctx_fd, Join(done), O_PATH | O_DIRECTORY, 0,
                                  oci::kResolveBeneath | oci::kResolveNoSymlinks);
    if (!parent) {
      int err = parent.error().sys_errno();
      if (err == ENOENT || err == ENOTDIR) return missing();
      return Fail(std::move(parent.error()).Context("resolve " + rel));
    }
    struct stat st;
    if (::fstatat(parent->get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return missing();
      return FailErrno("stat " + Join(done) + "/" + part, errno);
    }
    if (!S_ISLNK(st.st_mode)) {
      done.push_back(std::move(part));
      continue;
    }
    if (++follows > oci::kMaxSymlinkFollows) {
      return Fail(Error(ErrorCode::kInvalidArgument,
                        "resolve " + rel + ": too many levels of symbolic links", ELOOP));
    }
    char buf[4096];
    ssize_t n = ::readlinkat(parent->get(), part.c_str(), buf, sizeof buf);
    if (n < 0) return FailErrno("readlink " + Join(done) + "/" + part, errno);
    if (static_cast<std::size_t>(n) == sizeof buf) {
      return Fail(ErrorCode::kInvalidArgument,
                  "readlink " + Join(done) + "/" + part + ": target too long");
    }
    std::string_view target(buf, static_cast<std::size_t>(n));
    if (target.starts_with("/")) done.clear();
    std::vector<std::string> more = Components(target);
    for (auto it = more.rbegin(); it != more.rend(); ++it) todo.push_back(std::move(*it));
  }
  return Join(done);
}

std::unexpected<Error> NotFound(const std::string& rel) {
  return Fail(ErrorCode::kNotFound, "\"/" + (rel == "." ? std::string() : rel) + "\": not found");
}

}  // namespace

bool HasWildcard(std::string_view source) {
  return source.find_first_of("*?[") != std::string_view::npos;
}

Result<std::vector<ContextSource>> ExpandContextSource(int context_fd, std::string_view source,
                                                       const filespec::PatternMatcher* ignore) {
  std::string rel = CleanPath("/" + std::string(source));
  rel = rel == "/" ? "." : rel.substr(1);
  std::vector<std::string> paths;
  if (HasWildcard(rel)) {
    paths = BUILDER_TRY(Glob(context_fd, rel, ignore));
    if (paths.empty()) return NotFound(rel);
  } else {
    struct stat st;
    if (!BUILDER_TRY(StatInContext(context_fd, rel, &st)) || BUILDER_TRY(Ignored(ignore, rel)))
      return NotFound(rel);
    paths.push_back(rel);
  }
  std::vector<ContextSource> out;
  for (std::string& p : paths) {
    std::string resolved = BUILDER_TRY(ResolveInContext(context_fd, p));
    // A link to nothing fails naming its target, as BuildKit does ("/etc/passwd" for a link
    // to /etc/passwd that the context lacks); an ignored target is not in BuildKit's context.
    struct stat st;
    if (resolved != p && (!BUILDER_TRY(StatInContext(context_fd, resolved, &st)) ||
                          BUILDER_TRY(Ignored(ignore, resolved)))) {
      return NotFound(resolved);
    }
    out.push_back({std::move(p), std::move(resolved)});
  }
  return out;
}

}  // namespace builder::planner
