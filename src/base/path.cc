// Lexical path helpers and atomic small-file writes.
#include "base/path.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <vector>

#include "base/staged_file.h"
#include "base/unique_fd.h"

namespace builder {

std::string CleanPath(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path.front() == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out += '/';
    out += parts[k];
  }
  return out.empty() ? "." : out;
}

std::string JoinPath(std::string_view lhs, std::string_view rhs) {
  if (lhs.empty()) return CleanPath(rhs);
  if (rhs.empty()) return CleanPath(lhs);
  std::string joined(lhs);
  joined += '/';
  joined += rhs;
  return CleanPath(joined);
}

std::string BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return ".";
  if (path == "/") return "/";
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  return CleanPath(path.substr(0, slash + 1));
}

bool IsLocalPath(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  std::string clean = CleanPath(path);
  return clean != ".." && !clean.starts_with("../");
}

Result<std::string> ReadFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return FailErrno("open " + path, errno);
  std::string out;
  // One allocation for a regular file (a 4 MB cache table grew by copies otherwise).
  if (struct stat st; ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode))
    out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno("read " + path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

namespace {

Result<void> WriteStaged(const std::string& path, std::string_view content, unsigned mode,
                         bool durable) {
  auto staged = BUILDER_TRY(StagedFile::Create(DirName(path), mode));
  BUILDER_TRY(staged.Write(content));
  return staged.Commit(path, durable);
}

}  // namespace

Result<void> WriteFileAtomic(const std::string& path, std::string_view content, unsigned mode) {
  return WriteStaged(path, content, mode, true);
}

Result<void> WriteRuntimeFile(const std::string& path, std::string_view content, unsigned mode) {
  return WriteStaged(path, content, mode, false);
}

Result<std::vector<std::string>> ListDirectory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return FailErrno("open directory " + dir, errno);
  return ListDirectory(std::move(fd), dir);
}

Result<std::vector<std::string>> ListDirectory(UniqueFd dir_fd, const std::string& what) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(dir_fd.get()), &::closedir);
  if (!d) return FailErrno("open directory " + what, errno);
  (void)dir_fd.Release();  // closedir closes it now
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d.get())) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  if (errno != 0) return FailErrno("read directory " + what, errno);
  std::sort(names.begin(), names.end());
  return names;
}

Result<void> MakeDirs(const std::string& path, unsigned mode) {
  if (path.empty()) return {};
  std::string clean = CleanPath(path);
  for (size_t i = 1; i <= clean.size(); ++i) {
    if (i != clean.size() && clean[i] != '/') continue;
    std::string prefix = clean.substr(0, i);
    if (::mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST)
      return FailErrno("mkdir " + prefix, errno);
  }
  struct stat st;
  if (::stat(clean.c_str(), &st) != 0) return FailErrno("stat " + clean, errno);
  if (!S_ISDIR(st.st_mode)) return Fail(ErrorCode::kAlreadyExists, clean + " exists and is not a directory");
  return {};
}

}  // namespace builder
