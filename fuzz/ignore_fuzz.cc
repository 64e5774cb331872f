// libFuzzer target: .dockerignore reading and matching. Input: ignore-file text, a NUL byte, then
// newline-separated paths to match (each also walked top-down with parent results).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "filespec/ignore_file.h"
#include "filespec/pattern_matcher.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t nul = text.find('\0');
  std::string_view paths = nul == std::string_view::npos ? std::string_view() : text.substr(nul + 1);
  auto patterns = builder::filespec::ReadIgnorePatterns(text.substr(0, nul));
  if (!patterns) return 0;
  auto matcher = builder::filespec::PatternMatcher::Create(*patterns);
  if (!matcher) return 0;
  while (!paths.empty()) {
    size_t nl = paths.find('\n');
    std::string_view path = paths.substr(0, nl);
    paths = nl == std::string_view::npos ? std::string_view() : paths.substr(nl + 1);
    (void)matcher->MatchesOrParentMatches(path);
    builder::filespec::PatternMatcher::MatchInfo parent, info;
    size_t pos = 0;
    for (;;) {
      size_t slash = path.find('/', pos);
      std::string_view prefix = path.substr(0, slash);
      if (!matcher->MatchesUsingParentResults(prefix, parent, &info)) break;
      parent = info;
      if (slash == std::string_view::npos) break;
      pos = slash + 1;
    }
  }
  return 0;
}
