// Tests for ShellPattern: BuildKit's pattern dialect, shortest/longest anchoring, Go's replace-all
// rules.
#include "parser/shell_pattern.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::parser {
namespace {

std::string Prefix(std::string_view v, std::string_view p, bool longest) {
  auto r = TrimPatternPrefix(v, p, longest);
  return r ? *r : "error";
}
std::string Suffix(std::string_view v, std::string_view p, bool longest) {
  auto r = TrimPatternSuffix(v, p, longest);
  return r ? *r : "error";
}
std::string First(std::string_view v, std::string_view p, std::string_view r) {
  auto out = ReplacePatternFirst(v, p, r);
  return out ? *out : "error";
}
std::string All(std::string_view v, std::string_view p, std::string_view r) {
  auto out = ReplacePatternAll(v, p, r);
  return out ? *out : "error";
}

TEST_CASE("compile: which escapes are valid") {
  for (const char* ok : {"*", "?", "\\*", "(()[]{\\}^$.\\*\\?|\\\\", "a\\/b", "", "[a-z]"}) {
    INFO(ok);
    CHECK(ShellPattern::Compile(ok).has_value());
  }
  for (const char* bad : {"\\", "\\x", "\\\\\\", "a\\."}) {
    INFO(bad);
    auto r = ShellPattern::Compile(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message().starts_with("invalid pattern ("));
  }
  auto r = ShellPattern::Compile("a\\x");
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "invalid pattern (a\\x) in substitution: invalid escape '\\x'");
}

TEST_CASE("ReversePattern keeps escapes in front of what they escape") {
  CHECK(ReversePattern("a\\*c") == "c\\*a");
  CHECK(ReversePattern("\\\\\\ab") == "b\\a\\\\");
  CHECK(ReversePattern("ab\\") == "\\ba");
  CHECK(ReversePattern("👽\\🚀🖖") == "🖖\\🚀👽");
  CHECK(ReversePattern("\\\\b") == "b\\\\");
  CHECK(ReversePattern("") == "");
}

TEST_CASE("prefix: shortest and longest, anchored at the start") {
  CHECK(Prefix("xxyy", "*x*y", false) == "y");
  CHECK(Prefix("xxyy", "*x*y", true) == "");
  CHECK(Prefix("xxyy", "*", false) == "xxyy");
  CHECK(Prefix("xxyy", "*", true) == "");
  CHECK(Prefix("xxyy", "y", true) == "xxyy");
  CHECK(Prefix("a/b/c", "*/", false) == "b/c");
  CHECK(Prefix("a/b/c", "*/", true) == "c");
  CHECK(Prefix("???y", "?\\?", false) == "?y");
  CHECK(Prefix("()[]{}^$.*?|\\x", "()[]{\\}^$.\\*\\?|\\\\", false) == "x");
  CHECK(Prefix("abc", "[a-c]", false) == "abc");
  CHECK(Prefix("한국어", "?", false) == "국어");
  CHECK(Prefix("", "*", true) == "");
  CHECK(Prefix("abc", "", true) == "abc");
  // Like Go's regexp `.`, wildcards stop at a newline.
  CHECK(Prefix("ab\ncd", "*", true) == "\ncd");
  CHECK(Prefix("ab\ncd", "*c", false) == "ab\ncd");
  CHECK(Prefix("ab\ncd", "ab?", false) == "ab\ncd");
  CHECK(Prefix("ab\ncd", "ab\n", false) == "cd");
  CHECK(Prefix("x", "\\x", false) == "error");
}

TEST_CASE("suffix: shortest and longest, anchored at the end") {
  CHECK(Suffix("file.tar.gz", ".*", false) == "file.tar");
  CHECK(Suffix("file.tar.gz", ".*", true) == "file");
  CHECK(Suffix("xx**", "\\**", true) == "xx");
  CHECK(Suffix("a***yy*", "\\**\\*", true) == "a");
  CHECK(Suffix("a***yy*", "\\**\\*", false) == "a**");
  CHECK(Suffix("xxyy", "x", false) == "xxyy");
  CHECK(Suffix("xxyy", "y", false) == "xxy");
  CHECK(Suffix("한국어", "?", false) == "한국");
  CHECK(Suffix("a\xFF", "?", false) == "a");  // an invalid byte is one character
  CHECK(Suffix("ab", "", true) == "ab");
  // The reversed pattern is what gets compiled, as in BuildKit: "a*\" reverses to "\*a".
  CHECK(Suffix("xa*", "a*\\", false) == "x");
  CHECK(Prefix("a*x", "a*\\", false) == "error");
}

TEST_CASE("find: leftmost, then longest") {
  auto p = ShellPattern::Compile("o*");
  REQUIRE(p);
  auto m = p->Find("foo boo");
  REQUIRE(m);
  CHECK(m->first == 1);
  CHECK(m->second == 7);
  auto q = ShellPattern::Compile("b?");
  REQUIRE(q);
  auto n = q->Find("abcabd", 2);
  REQUIRE(n);
  CHECK(*n == std::make_pair<std::size_t, std::size_t>(4, 6));
  CHECK_FALSE(q->Find("abc", 3).has_value());
  CHECK(*q->MatchPrefix("bcd", false) == 2);
}

TEST_CASE("replace first and all") {
  CHECK(First("/tmp/tmp/bar.txt", "/tmp", "") == "/tmp/bar.txt");
  CHECK(All("/tmp/tmp/bar.txt", "/tmp", "") == "/bar.txt");
  CHECK(First("/a/foo/b/c.txt", "/?/", "/") == "/foo/b/c.txt");
  CHECK(All("/a/foo/b/c.txt", "/?/", "/") == "/foo/c.txt");
  CHECK(First("xxyy", "", "ww") == "wwxxyy");
  CHECK(All("xxyy", "", "") == "xxyy");
  CHECK(All("abc", "x", "-") == "abc");
  CHECK(First("a.b.c", ".", "!") == "a!b.c");
  CHECK(All("a.b.c", ".", "!") == "a!b!c");
  CHECK(All("l1\nl2", "l*", "L") == "L\nL");
  // Go's ReplaceAllString: an empty match right after a match is not replaced again.
  CHECK(All("abc", "*", "-") == "-");
  CHECK(All("baaac", "\\*", "-") == "baaac");
  CHECK(All("", "*", "-") == "-");
  // Replace-all expands Go template references; replace-first takes the text as it is.
  CHECK(All("abc", "b", "[$0]") == "a[b]c");
  CHECK(All("abc", "b", "[${0}]") == "a[b]c");
  CHECK(All("abc", "b", "$$") == "a$c");
  CHECK(All("abc", "b", "$1$x${y}") == "ac");
  CHECK(All("abc", "b", "$") == "a$c");
  CHECK(All("abc", "b", "${0") == "a${0c");
  CHECK(All("abc", "b", "$00") == "ac");
  CHECK(First("abc", "b", "[$0]") == "a[$0]c");
  CHECK(All("abc", "\\q", "x") == "error");
}

TEST_CASE("matching is linear: no backtracking blow-up") {
  const std::string as(100000, 'a');
  // A backtracking matcher would take hours here; the ctest timeout is the guard, not a clock.
  CHECK(Prefix(as, "*a*a*a*a*a*a*b", true) == as);
  CHECK(Suffix(as, "*a*a*a*a*a*a*b", false) == as);
  CHECK(All(as, "*a*a*a*a*", "x") == "x");
  CHECK(All(as, "a*a*a*b", "x") == as);
  CHECK(All(as, "a", "") == "");
  CHECK(All(as, "?", "bb").size() == 2 * as.size());
  std::string lines;
  for (int i = 0; i < 2000; ++i) lines += "ab" + std::string(50, 'c') + "\n";
  CHECK(All(lines, "a*c", "x") == [&] {
    std::string expect;
    for (int i = 0; i < 2000; ++i) expect += "x\n";
    return expect;
  }());
}

TEST_CASE("ReplacePatternAll refuses results over 1 MiB instead of growing without bound") {
  const std::string value(2000, 'a');
  const std::string replacement(600, 'r');
  auto out = ReplacePatternAll(value, "", replacement);
  REQUIRE_FALSE(out.has_value());
  CHECK(out.error().message() == "${//} replacement result exceeds 1 MiB");
  CHECK(ReplacePatternAll(value, "", "r").value().size() == 4001);
}

}  // namespace
}  // namespace builder::parser
