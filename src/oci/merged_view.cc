// MergedView: overlayfs lookup rules (whiteouts, opaque directories) applied to plain layer dirs.
#include "oci/merged_view.h"

#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/path.h"

namespace builder::oci {
namespace {

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
  std::string resolved = BUILDER_TRY(Resolve(path, true));
  auto entry = Lookup(resolved);
  if (!entry || !S_ISREG(entry->st.st_mode)) return Fail(ErrorCode::kNotFound, path + ": not found");
  return builder::ReadFile(entry->host_path);
}

}  // namespace builder::oci
