// The builder's own argv and environment strings, which the sandbox's init inherits and scrubs.
#include "sandbox/inherited_strings.h"

#include <charconv>
#include <cstring>
#include <string>

#include "base/path.h"

namespace builder::sandbox {

Result<InheritedStrings> ParseInheritedStrings(std::string_view line) {
  size_t close = line.rfind(')');
  if (close == std::string_view::npos) return Fail(ErrorCode::kParse, "stat line has no comm");
  // Field 3 (state) follows ") "; fields 48..51 are arg_start, arg_end, env_start, env_end.
  std::string_view rest = line.substr(close + 1);
  uintptr_t values[4] = {};
  int field = 2;
  size_t pos = 0;
  while (field < 51) {
    while (pos < rest.size() && rest[pos] == ' ') ++pos;
    if (pos >= rest.size() || rest[pos] == '\n') {
      return Fail(ErrorCode::kParse, "stat line ends at field " + std::to_string(field));
    }
    size_t end = rest.find_first_of(" \n", pos);
    if (end == std::string_view::npos) end = rest.size();
    ++field;
    if (field >= 48) {
      std::string_view word = rest.substr(pos, end - pos);
      uintptr_t& v = values[field - 48];
      auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
      if (ec != std::errc() || ptr != word.data() + word.size()) {
        return Fail(ErrorCode::kParse, "stat field " + std::to_string(field) + " is not a number");
      }
    }
    pos = end;
  }
  InheritedStrings s{values[0], values[1], values[2], values[3]};
  if (s.arg_end < s.arg_start || s.env_end < s.env_start) {
    return Fail(ErrorCode::kParse, "stat argv/environment range reversed");
  }
  return s;
}

Result<InheritedStrings> FindInheritedStrings() {
  auto line = ReadFile("/proc/self/stat");
  if (!line) return Fail(std::move(line.error()).Context("read /proc/self/stat"));
  auto parsed = ParseInheritedStrings(*line);
  if (!parsed) return Fail(std::move(parsed.error()).Context("parse /proc/self/stat"));
  return parsed;
}

void ScrubInheritedStrings(const InheritedStrings& s, const char* title) {
  if (s.env_end > s.env_start) {
    std::memset(reinterpret_cast<void*>(s.env_start), 0, s.env_end - s.env_start);
  }
  if (s.arg_end > s.arg_start) {
    char* args = reinterpret_cast<char*>(s.arg_start);
    size_t size = s.arg_end - s.arg_start;
    std::memset(args, 0, size);
    // The last byte stays NUL: the kernel then reads the range as plain argv, not a proctitle.
    for (size_t i = 0; title[i] != '\0' && i + 1 < size; ++i) args[i] = title[i];
  }
}

}  // namespace builder::sandbox
