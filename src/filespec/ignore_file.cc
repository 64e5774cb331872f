// Reads .dockerignore files exactly as BuildKit's ignorefile.ReadAll does, and locates them.
#include "filespec/ignore_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <memory>

#include "base/path.h"
#include "base/go_compat.h"

namespace builder::filespec {

namespace {

// Go's bufio.Scanner gives up on a line that does not fit its 64 KiB buffer; BuildKit then
// fails the build, so we fail too rather than silently accept a file BuildKit rejects.
constexpr std::size_t kMaxLineBytes = 64 * 1024;

// Turns one line into a pattern, or nothing for comments and blank lines.
std::optional<std::string> LineToPattern(std::string_view line) {
  // The comment test comes before trimming: "  # x" is a pattern named "# x".
  if (line.starts_with('#')) return std::nullopt;
  std::string_view pattern = gocompat::TrimSpace(line);
  if (pattern.empty()) return std::nullopt;
  const bool invert = pattern.front() == '!';
  if (invert) pattern = gocompat::TrimSpace(pattern.substr(1));
  std::string out;
  if (!pattern.empty()) {
    out = CleanPath(pattern);
    // Patterns are relative to the context root, so "/foo" means "foo" (but "/" stays "/").
    if (out.size() > 1 && out.front() == '/') out.erase(0, 1);
  }
  return invert ? "!" + out : out;
}

// stat() that treats "does not exist" as an answer, not an error.
Result<bool> RegularFileExists(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return FailErrno("stat " + path, errno);
  }
  if (!S_ISREG(st.st_mode)) return Fail(ErrorCode::kInvalidArgument, path + ": not a regular file");
  return true;
}

}  // namespace

Result<std::vector<std::string>> ReadIgnorePatterns(std::string_view content) {
  std::vector<std::string> patterns;
  bool first = true;
  while (!content.empty()) {
    std::size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
    if (line.size() >= kMaxLineBytes)
      return Fail(ErrorCode::kParse, "error reading .dockerignore: bufio.Scanner: token too long");
    if (line.ends_with('\r')) line.remove_suffix(1);  // CRLF files read like LF ones
    if (first && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    first = false;
    if (auto pattern = LineToPattern(line)) patterns.push_back(std::move(*pattern));
  }
  return patterns;
}

Result<std::vector<std::string>> ReadIgnoreFile(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return FailErrno("open " + path, errno);
  std::string content;
  char buf[8192];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) content.append(buf, n);
  if (std::ferror(f.get())) return FailErrno("read " + path, EIO);
  auto patterns = ReadIgnorePatterns(content);
  if (!patterns) return Fail(std::move(patterns.error()).Context(path));
  return patterns;
}

Result<std::optional<std::string>> LocateIgnoreFile(const std::string& context_dir,
                                                    const std::string& dockerfile_path) {
  // BuildKit looks for the Dockerfile-specific file first and only then at the context.
  if (!dockerfile_path.empty() && dockerfile_path != "-") {
    std::string own = dockerfile_path + ".dockerignore";
    auto own_exists = RegularFileExists(own);
    if (!own_exists) return Fail(std::move(own_exists.error()));
    if (*own_exists) return own;
  }
  std::string shared(context_dir.empty() ? std::string_view(".") : std::string_view(context_dir));
  if (!shared.ends_with('/')) shared += '/';
  shared += ".dockerignore";
  auto shared_exists = RegularFileExists(shared);
  if (!shared_exists) return Fail(std::move(shared_exists.error()));
  if (*shared_exists) return shared;
  return std::nullopt;
}

}  // namespace builder::filespec
