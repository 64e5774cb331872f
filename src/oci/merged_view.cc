// MergedView: overlayfs lookup rules (whiteouts, opaque directories) applied to plain layer dirs.
#include "oci/merged_view.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/path.h"
#include "base/unique_fd.h"
#include "oci/safe_path.h"

namespace builder::oci {
namespace {

// ReadFile is for small files (passwd, group): a container's huge one is refused, not loaded.
constexpr off_t kMaxFileSize = 16 << 20;

bool IsWhiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0;
}

bool IsOpaque(const std::string& dir) {
  char v[2] = {};
  for (const char* name : {"trusted.overlay.opaque", "user.overlay.opaque"}) {
    if (lgetxattr(dir.c_str(), name, v, 1) == 1 && v[0] == 'y') return true;
  }
  return false;
}

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

std::optional<MergedView::Entry> MergedView::Lookup(const std::string& path) const {
  std::vector<std::string> parts = Split(CleanPath(path));
  for (const auto& layer : layers_) {
    std::string host = layer;
    bool stop = false;  // an opaque dir or a non-directory in this layer hides lower layers
    bool hidden = false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      host += "/" + parts[i];
      struct stat st;
      if (lstat(host.c_str(), &st) != 0) break;
      if (IsWhiteout(st)) {
        hidden = true;
        break;
      }
      if (i + 1 == parts.size()) return Entry{host, st};
      if (!S_ISDIR(st.st_mode)) {
        hidden = true;
        break;
      }
      if (IsOpaque(host)) stop = true;
    }
    if (parts.empty()) {
      struct stat st;
      if (lstat(layer.c_str(), &st) == 0) return Entry{layer, st};
    }
    if (hidden) return std::nullopt;
    if (stop) {
      // The deepest opaque directory found hides the lower layers only below itself; a path
      // that left this layer above it can still come from below. Keep it simple and exact for
      // the common case: the missing part lies under the opaque dir.
      return std::nullopt;
    }
  }
  return std::nullopt;
}

Result<std::string> MergedView::Resolve(const std::string& path, bool follow_last) const {
  std::vector<std::string> todo = Split(CleanPath("/" + path));
  std::reverse(todo.begin(), todo.end());
  std::string cur;  // resolved so far, "" is the root
  int links = 0;
  while (!todo.empty()) {
    std::string part = todo.back();
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      auto slash = cur.rfind('/');
      cur = slash == std::string::npos ? "" : cur.substr(0, slash);
      continue;
    }
    std::string candidate = cur + "/" + part;
    auto entry = Lookup(candidate);
    if (entry && S_ISLNK(entry->st.st_mode) && (!todo.empty() || follow_last)) {
      if (++links > 40) return Fail(ErrorCode::kInvalidArgument, "too many levels of symbolic links: " + path);
      char buf[4096];
      ssize_t n = readlink(entry->host_path.c_str(), buf, sizeof buf);
      if (n < 0) return FailErrno("readlink " + candidate, errno);
      std::string target(buf, static_cast<std::size_t>(n));
      if (target.starts_with("/")) cur.clear();
      std::vector<std::string> more = Split(target);
      for (auto it = more.rbegin(); it != more.rend(); ++it) todo.push_back(*it);
      continue;
    }
    cur = candidate;
  }
  return cur.empty() ? std::string("/") : cur;
}

Result<std::string> MergedView::ReadFile(const std::string& path) const {
  // The layers may belong to a running container that swaps a file or a directory on the path
  // for a symlink between the lookup and the open: the open then must not follow it on the host
  // (to /etc/shadow, say). It follows no symlink and stays beneath the layer; a refused one
  // means the view changed, and the lookup starts over.
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string resolved = BUILDER_TRY(Resolve(path, true));
    auto entry = Lookup(resolved);
    if (!entry || !S_ISREG(entry->st.st_mode)) return Fail(ErrorCode::kNotFound, path + ": not found");
    auto layer = std::find_if(layers_.begin(), layers_.end(), [&](const std::string& l) {
      return entry->host_path.size() > l.size() && entry->host_path.starts_with(l) &&
             entry->host_path[l.size()] == '/';
    });
    if (layer == layers_.end()) return Fail(ErrorCode::kInternal, path + ": entry outside the layers");
    UniqueFd root(::open(layer->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return FailErrno("open layer " + *layer, errno);
    auto fd = OpenInRoot(root.get(), entry->host_path.substr(layer->size() + 1),
                         O_RDONLY | O_NONBLOCK | O_NOFOLLOW, 0,
                         kResolveBeneath | kResolveNoSymlinks | kResolveNoMagicLinks);
    if (!fd) {
      if (fd.error().sys_errno() == ELOOP || fd.error().sys_errno() == EXDEV ||
          fd.error().sys_errno() == ENOENT || fd.error().sys_errno() == ENOTDIR)
        continue;
      return Fail(std::move(fd.error()));
    }
    struct stat st;
    if (::fstat(fd->get(), &st) != 0) return FailErrno("stat " + path, errno);
    if (!S_ISREG(st.st_mode)) continue;  // swapped for a fifo or a device: never block on one
    if (st.st_size > kMaxFileSize) return Fail(ErrorCode::kInvalidArgument, path + ": too large");
    std::string out;
    char buf[1 << 14];
    for (;;) {
      ssize_t n = ::read(fd->get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return FailErrno("read " + path, errno);
      if (n == 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
      if (out.size() > kMaxFileSize) return Fail(ErrorCode::kInvalidArgument, path + ": too large");
    }
  }
  return Fail(ErrorCode::kInvalidArgument, path + ": keeps changing while being read");
}

}  // namespace builder::oci
