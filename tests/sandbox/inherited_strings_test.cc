// Tests for finding and scrubbing the argv/environment ranges a sandbox's init inherits.
#include "sandbox/inherited_strings.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

namespace builder::sandbox {
namespace {

// A stat line with 52 fields; fields 48..51 given, the comm holding ") (" and spaces.
std::string StatLine(const std::string& comm, const std::string& f48_51) {
  std::string line = "4242 (" + comm + ") S";
  for (int field = 4; field < 48; ++field) line += " " + std::to_string(field);
  return line + " " + f48_51 + " 0\n";
}

}  // namespace

TEST_CASE("ParseInheritedStrings reads fields 48-51 whatever the comm holds") {
  auto s = ParseInheritedStrings(StatLine("we) ird (name", "100 150 150 300"));
  REQUIRE(s);
  CHECK(*s == InheritedStrings{100, 150, 150, 300});
  // The last field may end the line without a newline or trailing field.
  std::string bare = StatLine("x", "1 2 3 4");
  bare.resize(bare.size() - 3);
  CHECK(ParseInheritedStrings(bare) == InheritedStrings{1, 2, 3, 4});
}

TEST_CASE("ParseInheritedStrings rejects truncated, non-numeric and reversed ranges") {
  CHECK_FALSE(ParseInheritedStrings("4242 no comm here"));
  CHECK_FALSE(ParseInheritedStrings("4242 (x) S 1 2 3\n"));
  CHECK_FALSE(ParseInheritedStrings(StatLine("x", "100 1x0 150 300")));
  CHECK_FALSE(ParseInheritedStrings(StatLine("x", "100 -1 150 300")));
  CHECK_FALSE(ParseInheritedStrings(StatLine("x", "150 100 150 300")));
  CHECK_FALSE(ParseInheritedStrings(StatLine("x", "100 150 300 150")));
}

TEST_CASE("FindInheritedStrings: this process's ranges hold its argv and environment") {
  auto s = FindInheritedStrings();
  REQUIRE(s);
  REQUIRE(s->arg_end > s->arg_start);
  // The first argv string the kernel reports is the one our main() got.
  CHECK(std::strlen(reinterpret_cast<const char*>(s->arg_start)) < s->arg_end - s->arg_start);
  CHECK(s->env_end >= s->env_start);
}

TEST_CASE("ScrubInheritedStrings blanks both ranges and leaves a NUL-terminated title") {
  std::vector<char> args(16, 'a'), env(8, 'e');
  InheritedStrings s{reinterpret_cast<uintptr_t>(args.data()),
                     reinterpret_cast<uintptr_t>(args.data() + args.size()),
                     reinterpret_cast<uintptr_t>(env.data()),
                     reinterpret_cast<uintptr_t>(env.data() + env.size())};
  ScrubInheritedStrings(s, "init");
  CHECK(std::string(args.data(), args.size()) == std::string("init") + std::string(12, '\0'));
  CHECK(std::string(env.data(), env.size()) == std::string(8, '\0'));
  // A title longer than the range is cut so that the last byte stays NUL.
  std::vector<char> small(4, 'a');
  s = {reinterpret_cast<uintptr_t>(small.data()), reinterpret_cast<uintptr_t>(small.data() + 4), 0, 0};
  ScrubInheritedStrings(s, "builder-init");
  CHECK(std::string(small.data(), 4) == std::string("bui") + '\0');
}

}  // namespace builder::sandbox
