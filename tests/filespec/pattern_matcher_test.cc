// Tables for .dockerignore matching, covering the ground of moby/patternmatcher's tests.
#include "filespec/pattern_matcher.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/path.h"
#include "base/go_compat.h"

namespace builder::filespec {
namespace {

struct Row {
  const char* pattern;
  const char* path;
  bool expected;
};

struct MultiRow {
  std::vector<std::string> patterns;
  const char* path;
  bool expected;
};

// Paths end in '/' where moby's table checks that a trailing slash changes nothing.
const Row kMatchRows[] = {
    // "**" alone and with a trailing slash (Clean turns "**/" into "**").
    {"**", "notes.txt", true},
    {"**", "notes/", true},
    {"**/", "notes.txt", true},
    {"**/", "notes/", true},
    {"**", "/", true},
    {"**/", "/", true},
    {"**", "src/main.c", true},
    {"**/", "src/main.c", true},
    {"**", "src/lib/", true},
    {"**/", "src/lib/", true},
    {"**/**", "src/main.c", true},
    {"**/**", "src/lib/", true},
    // "dir/**": everything below dir.
    {"src/**", "src/main.c", true},
    {"src/**", "src/lib/", true},
    {"src/**", "src/lib/util.c", true},
    {"src/**", "src/lib/util/", true},
    // "**/dir" and "**/dir/*": at any depth, including the top.
    {"**/src", "src", true},
    {"**/src", "src/main.c", true},
    {"**/lib/*", "src/lib/util.c", true},
    {"**/lib/*", "src/lib/util/", true},
    {"**/lib/**", "src/lib/deep/util.c", true},
    {"**/lib/**", "src/lib/deep/util/", true},
    // "**name" and "**/name*".
    {"**Makefile", "Makefile", true},
    {"**Makefile", "src/Makefile", true},
    {"**/Makefile", "src/Makefile", true},
    {"**Makefile", "src/lib/Makefile", true},
    {"**/Makefile", "src/lib/Makefile", true},
    {"**/Makefile*", "src/lib/Makefile", true},
    {"**/Makefile*", "src/lib/Makefile.am", true},
    {"**/Make*am", "src/lib/Makefile.am", true},
    {"**/Make*.am", "src/lib/Makefile.am", true},
    {"**/Make*.am*", "src/lib/Makefile.am", true},
    {"**/**/*.am", "src/lib/Makefile.am", true},
    {"**/**/*.am2", "src/lib/Makefile.am", false},
    {"**/*.am", "Makefile.am", true},
    {"**/**/*.am", "Makefile.am", true},
    // "x**/*.md": the "**" may be empty.
    {"d**/*.md", "d/readme.md", true},
    {"d**/*.md", "d/x/readme.md", true},
    {"d**/*.md", "d/x/y/readme.md", true},
    {"d/*.md", "d/x/readme.md", false},
    {"d/*.md", "d/readme.md", true},
    {"d/*.md**", "d/readme.md", true},
    // Character classes and '?'.
    {"v[1-3]x", "vx", false},
    {"v[1-3]x", "v2x", true},
    {"v[1-3]x", "v0x", false},
    {"v[^1-3]x", "v9x", true},
    // '.' is literal.
    {".*", ".git", true},
    {".*", "git", false},
    {"main.c", "mainc", false},
    {"main.c", "main.c", true},
    {"main.c", "mainXc", false},
    {"main?c", "mainXc", true},
    {"main?c", "mainc", false},
    // An escaped backslash.
    {"x\\\\", "x\\", true},
    {"**/a/b", "a/b", true},
    {"**/a/b", "p/a/b", true},
    {"**/a/b", "p/q/a/b", true},
    // "dir/**" does not match dir itself.
    {"build/**", "build", false},
    {"build/**", "build/out", true},
    {"build/**", "build/out/bin", true},
    {"**/.env", ".env", true},
    {"**/.env", "prod.env", false},
    // Regexp metacharacters are literal.
    {"f(x)y/z", "f(x)y/z", true},
    {"f(x)y/z", "f(x)y/w", false},
    {"q.|)$(}+{r", "q.|)$(}+{r", true},
    {"wheels/pkg_name-1.0.0rc1.dev2+gabc123-py3-none-any.whl",
     "wheels/pkg_name-1.0.0rc1.dev2+gabc123-py3-none-any.whl", true},
    {"wheels/*.whl", "wheels/pkg_name-1.0.0rc1.dev2+gabc123-py3-none-any.whl", true},
    // Unix only upstream: '\' escapes.
    {"a\\*b", "a*b", true},
};

const MultiRow kMultiRows[] = {
    {{"**", "!vendor/cache/keep"}, "vendor/cache/keep/x", false},
    {{"**", "!vendor/cache/keep", "vendor/cache/keep/x"}, "vendor/cache/keep/x", true},
    {{"**", "!wheels/pkg_name-1.0.0rc1.dev2+gabc123-py3-none-any.whl"},
     "wheels/pkg_name-1.0.0rc1.dev2+gabc123-py3-none-any.whl", false},
    {{"**", "!wheels/*.whl"}, "wheels/pkg_name-1.0.0rc1.dev2+gabc123-py3-none-any.whl", false},
    // Re-inclusion and re-exclusion at several depths.
    {{"docs", "!docs/api", "docs/api/internal"}, "docs/api/internal/x.md", true},
    {{"docs", "!docs/api", "docs/api/internal"}, "docs/api/public/x.md", false},
    {{"docs", "!docs/api", "docs/api/internal"}, "docs/guide.md", true},
    {{"*.log", "!keep.log"}, "keep.log", false},
    {{"*.log", "!keep.log"}, "other.log", true},
    {{"!keep.log", "*.log"}, "keep.log", true},
};

// Rows in the spirit of Go's filepath.Match table, checked through the matcher.
const Row kGlobRows[] = {
    {"xyz", "xyz", true},
    {"*", "xyz", true},
    {"*z", "xyz", true},
    {"x*", "x", true},
    {"x*", "xyz", true},
    {"x*", "xy/z", true},  // "xy" matches, so everything below it does
    {"x*/y", "xzz/y", true},
    {"x*/y", "x/z/y", false},
    {"p*q*r*s*t*/u", "p1q1r1s1t/u", true},
    {"p*q*r*s*t*/u", "p1q1r1s1t111/u", true},
    {"p*q*r*s*t*/u", "p1q1r1s1t/111/u", false},
    {"p*q*r*s*t*/u", "p1q1r1s1t111/uuu", false},
    {"m*n?o*p", "mnpnnpqnpsnpozzp", true},
    {"m*n?o*p", "mnpnnpqnpsnpozzq", false},
    {"fo[o]", "foo", true},
    {"fo[n-p]", "foo", true},
    {"fo[q-s]", "foo", false},
    {"fo[^o]", "foo", false},
    {"fo[^n-p]", "foo", false},
    {"fo[^q-s]", "foo", true},
    {"x\\*y", "x*y", true},
    {"x\\*y", "xy", false},
    // Runes, not bytes.
    {"x?y", "x\u263Ay", true},
    {"x[^x]y", "x\u263Ay", true},
    {"x???y", "x\u263Ay", false},
    {"x[^x][^x][^x]y", "x\u263Ay", false},
    {"[a-\u03B6]*", "\u03B1", true},
    {"*[a-\u03B6]", "A", false},
    {"x?y", "x/y", false},
    {"x*y", "x/y", false},
    // Escapes inside classes.
    {"[\\]x]", "]", true},
    {"[\\-]", "-", true},
    {"[y\\-]", "y", true},
    {"[y\\-]", "-", true},
    {"[y\\-]", "q", false},
    {"[\\-y]", "y", true},
    {"[\\-y]", "-", true},
    {"[\\-y]", "b", false},
    {"*y", "yyy", true},
};

// Patterns Go's filepath.Match rejects; Create must refuse them.
const Row kMalformedRows[] = {
    {"[]q]", "]", false},  {"[-]", "-", false},    {"[q-]", "q", false},  {"[q-]", "-", false},
    {"[q-]", "z", false},  {"[-q]", "q", false},   {"[-q]", "-", false},  {"[-q]", "a", false},
    {"\\", "a", false},    {"[p-q-r]", "p", false}, {"[", "a", false},     {"[^", "a", false},
    {"[^pq", "a", false},  {"p[", "p", false},     {"p[", "pq", false},
};

// Where moby's shortcuts and its regexp translation give answers a plain glob would not.
// We follow moby, because BuildKit does.
const Row kQuirkRows[] = {
    {"**Makefile", "src/GNUMakefile", true},  // a leading "**" is a bare suffix test
    {"src**", "srcfoo/x", true},              // a trailing "**" is a bare prefix test
    {"**/a.b", "x/a.b", true},
    {"**/a.b", "x/aXb", false},
    {"^a*", "abc", true},                     // '^' reaches the regexp as an anchor
    {"a^b", "a^b", true},                     // ... but exact patterns compare text
    {"a^b*", "a^bc", false},
    {"[*]", "]", true},                       // '[' swallows part of the translated '*'
    {"[*]", "*", false},
    {"[[:digit:]]x", "7x", true},             // POSIX classes come from the regexp syntax
    {"[[:digit:]]x", "dx", false},
    {"\\d*", "9lives", true},                 // so do Perl escapes
    {"\\d*", "dlives", false},
    {"a\\nb*", "a\nbc", true},
    {"**/x/*", "a\nb/x/y", false},            // the regexp's '.' stops at a newline
    {"*/x", "a\nb/x", true},                  // but [^/] does not
    {"**/x", "a\nb/x", true},                 // and a suffix test compares bytes
};

// The parents of path, shallowest first, as the walker would visit them.
std::vector<std::string> Parents(const std::string& path) {
  std::vector<std::string> out;
  std::string parent = DirName(path);
  if (parent == ".") return out;
  for (std::size_t slash = parent.find('/'); slash != std::string::npos;
       slash = parent.find('/', slash + 1))
    out.push_back(parent.substr(0, slash));
  out.push_back(parent);
  return out;
}

// Checks one case through every API: the direct one, the walk, and the walk without context.
void CheckAllWays(const std::vector<std::string>& patterns, const std::string& path, bool expected) {
  CAPTURE(path);
  auto pm = PatternMatcher::Create(patterns);
  REQUIRE_MESSAGE(pm.has_value(), (pm ? "" : pm.error().ToString()));

  auto direct = pm->MatchesOrParentMatches(path);
  REQUIRE(direct.has_value());
  CHECK_MESSAGE(*direct == expected, "MatchesOrParentMatches");

  PatternMatcher::MatchInfo info;
  for (const std::string& parent : Parents(path)) {
    PatternMatcher::MatchInfo next;
    REQUIRE(pm->MatchesUsingParentResults(parent, info, &next).has_value());
    info = std::move(next);
  }
  PatternMatcher::MatchInfo mine;
  auto walked = pm->MatchesUsingParentResults(path, info, &mine);
  REQUIRE(walked.has_value());
  CHECK_MESSAGE(*walked == expected, "MatchesUsingParentResults (walk)");
  CHECK(mine.matched == *walked);
  CHECK(mine.parent_matched.size() == pm->size());

  auto cold = pm->MatchesUsingParentResults(path, PatternMatcher::MatchInfo{}, nullptr);
  REQUIRE(cold.has_value());
  CHECK_MESSAGE(*cold == expected, "MatchesUsingParentResults (no context)");
}

TEST_CASE("PatternMatcher: single-pattern table") {
  for (const Row& row : kMatchRows) {
    CAPTURE(row.pattern);
    CheckAllWays({row.pattern}, row.path, row.expected);
  }
  CHECK(std::size(kMatchRows) == 68);
}

TEST_CASE("PatternMatcher: multi-pattern table") {
  for (const MultiRow& row : kMultiRows) {
    CAPTURE(row.patterns.front());
    CAPTURE(row.patterns.back());
    CheckAllWays(row.patterns, row.path, row.expected);
  }
}

TEST_CASE("PatternMatcher: filepath.Match-style table") {
  for (const Row& row : kGlobRows) {
    CAPTURE(row.pattern);
    CheckAllWays({row.pattern}, row.path, row.expected);
  }
}

TEST_CASE("PatternMatcher: malformed patterns are refused up front") {
  for (const Row& row : kMalformedRows) {
    CAPTURE(row.pattern);
    auto pm = PatternMatcher::Create({row.pattern});
    REQUIRE_FALSE(pm.has_value());
    CHECK(pm.error().code() == ErrorCode::kParse);
    CHECK(pm.error().message() == "syntax error in pattern: \"" + std::string(row.pattern) + "\"");
  }
  CHECK(std::size(kMalformedRows) == 15);
  // Also behind a '!' and after a '*' chunk.
  CHECK_FALSE(PatternMatcher::Create({"ok", "!a[b-"}).has_value());
  CHECK_FALSE(PatternMatcher::Create({"*.c[\\"}).has_value());
  CHECK_FALSE(PatternMatcher::Create({"*[\xff]"}).has_value());  // invalid UTF-8 in a class
}

TEST_CASE("PatternMatcher: moby quirks are kept") {
  for (const Row& row : kQuirkRows) {
    CAPTURE(row.pattern);
    CheckAllWays({row.pattern}, row.path, row.expected);
  }
}

TEST_CASE("PatternMatcher: single behaviours") {
  auto matches = [](std::vector<std::string> patterns, std::string path) {
    auto pm = PatternMatcher::Create(patterns);
    REQUIRE(pm.has_value());
    auto r = pm->MatchesOrParentMatches(path);
    REQUIRE(r.has_value());
    return *r;
  };
  CHECK(matches({"*"}, "matcher.cc"));
  CHECK(matches({"*.cc"}, "matcher.cc"));
  CHECK(matches({"!matcher.cc", "*.cc"}, "matcher.cc"));
  CHECK_FALSE(matches({"*.cc", "!matcher.cc"}, "matcher.cc"));
  CHECK_FALSE(matches({"docs", "!docs/README.md"}, "docs/README.md"));
  CHECK_FALSE(matches({"docs/", "!docs/README.md"}, "docs/README.md"));
  CHECK_FALSE(matches({"docs/*", "!docs/README.md"}, "docs/README.md"));
  CHECK(matches({"docs", "!docs/README.md"}, "docs/other.md"));

  SUBCASE("the context root never matches") {
    CHECK_FALSE(matches({"*.go"}, "."));
    CHECK_FALSE(matches({"**"}, "."));
    CHECK_FALSE(matches({"**"}, ""));
    auto pm = PatternMatcher::Create({"**"});
    PatternMatcher::MatchInfo info;
    CHECK_FALSE(*pm->MatchesUsingParentResults(".", {}, &info));
    CHECK(info.parent_matched.empty());
  }
  SUBCASE("a bare '!' is an error") {
    for (const char* bang : {"!", " ! ", "!/"}) {
      auto pm = PatternMatcher::Create({"foo", bang});
      REQUIRE_FALSE(pm.has_value());
      CHECK(pm.error().message() == "illegal exclusion pattern: \"!\"");
    }
  }
  SUBCASE("no patterns match nothing") {
    CHECK_FALSE(matches({}, "any/path/there"));
    CHECK_FALSE(matches({"", "  ", "\t"}, "any/path/there"));
  }
  SUBCASE("a malformed '[' is an error") {
    auto pm = PatternMatcher::Create({"["});
    REQUIRE_FALSE(pm.has_value());
    CHECK(pm.error().message() == "syntax error in pattern: \"[\"");
  }
  SUBCASE("whitespace is trimmed and empty patterns dropped") {
    auto pm = PatternMatcher::Create({"docs", "config", ""});
    REQUIRE(pm.has_value());
    CHECK(pm->size() == 2);
    CHECK_FALSE(pm->exclusions());
    for (auto list : {std::vector<std::string>{"docs", "  !docs/README.md"},
                      std::vector<std::string>{"docs", "!docs/README.md  "},
                      std::vector<std::string>{"docs", "\t!docs/README.md\n"}}) {
      auto ex = PatternMatcher::Create(list);
      REQUIRE(ex.has_value());
      CHECK(ex->exclusions());
      CHECK(ex->patterns() == std::vector<std::string>{"docs", "!docs/README.md"});
    }
  }
  SUBCASE("patterns are cleaned") {
    auto pm = PatternMatcher::Create({"./a//b/../c/", "!x/./y"});
    REQUIRE(pm.has_value());
    CHECK(pm->patterns() == std::vector<std::string>{"a/c", "!x/y"});
    CHECK(*pm->MatchesOrParentMatches("a/c/d"));
  }
}

TEST_CASE("PatternMatcher: [Local-Only]/ passes Create but fails every match") {
  // Clean drops the '/', and "[Local-Only]" holds the reversed range l-O, which Go's
  // filepath.Match never checks but its regexp compiler refuses (moby#52203).
  auto pm = PatternMatcher::Create({"[Local-Only]/"});
  REQUIRE(pm.has_value());
  for (int i = 0; i < 3; ++i) {
    auto r = pm->MatchesOrParentMatches("Local/file");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message() == "syntax error in pattern: \"[Local-Only]\"");
    CHECK_FALSE(pm->MatchesUsingParentResults("L", {}, nullptr).has_value());
  }
  // As in moby, a broken exclusion is never evaluated while nothing has matched yet.
  auto ex = PatternMatcher::Create({"!**/[z-a]"});
  REQUIRE(ex.has_value());
  CHECK(ex->MatchesOrParentMatches("a").value_or(true) == false);
  auto both = PatternMatcher::Create({"a", "!**/[z-a]"});
  REQUIRE(both.has_value());
  CHECK_FALSE(both->MatchesOrParentMatches("a").has_value());
}

TEST_CASE("PatternMatcher: parent info of the wrong size is refused") {
  auto one = PatternMatcher::Create({"a"});
  auto two = PatternMatcher::Create({"a", "b"});
  PatternMatcher::MatchInfo info;
  REQUIRE(two->MatchesUsingParentResults("a", {}, &info).has_value());
  auto r = one->MatchesUsingParentResults("a/b", info, nullptr);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message() == "wrong number of values in parentMatched");
}

TEST_CASE("PatternMatcher: a top-down walk with exclusions") {
  auto pm = PatternMatcher::Create({"node_modules", "!node_modules/keep", "**/*.tmp", "!important.tmp"});
  REQUIRE(pm.has_value());
  CHECK(pm->exclusions());
  struct Step {
    const char* path;
    const char* parent;  // index into the infos below by path; "" for top level
    bool ignored;
  };
  const Step steps[] = {
      {"node_modules", "", true},
      {"node_modules/lib", "node_modules", true},
      {"node_modules/lib/x.js", "node_modules/lib", true},
      {"node_modules/keep", "node_modules", false},
      {"node_modules/keep/y.js", "node_modules/keep", false},
      {"node_modules/keep/y.tmp", "node_modules/keep", true},
      {"important.tmp", "", false},
      {"src", "", false},
      {"src/a.tmp", "src", true},
      {"src/important.tmp", "src", true},  // "!important.tmp" names the top-level file only
  };
  std::vector<std::pair<std::string, PatternMatcher::MatchInfo>> seen;
  for (const Step& s : steps) {
    CAPTURE(s.path);
    PatternMatcher::MatchInfo parent;
    for (const auto& [p, info] : seen)
      if (p == s.parent) parent = info;
    PatternMatcher::MatchInfo out;
    auto r = pm->MatchesUsingParentResults(s.path, parent, &out);
    REQUIRE(r.has_value());
    CHECK(*r == s.ignored);
    CHECK(*pm->MatchesOrParentMatches(s.path) == s.ignored);
    seen.emplace_back(s.path, out);
  }
}

// A backtracking matcher would take hours on these; the ctest timeout is the guard, not a clock.
TEST_CASE("PatternMatcher: matching stays linear on hostile patterns") {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += std::string(60, 'a') + "/";
  deep += std::string(2000, 'a');  // no 'b' anywhere: a backtracking matcher would explode
  for (const char* p : {"**/a*a*a*a*a*a*a*a*b", "**/**/**/**/**/**/a*b", "*a*a*a*a*a*a*a*a*a*a*b",
                        "a**a**a**a**a**a**b"}) {
    CAPTURE(p);
    auto pm = PatternMatcher::Create({p});
    REQUIRE(pm.has_value());
    auto r = pm->MatchesOrParentMatches(deep);
    REQUIRE(r.has_value());
    CHECK_FALSE(*r);
    CHECK_FALSE(*pm->MatchesUsingParentResults(deep, {}, nullptr));
  }
}

}  // namespace
}  // namespace builder::filespec

namespace builder::filespec {
namespace {

TEST_CASE("PatternMatcher: random patterns never crash and agree across APIs") {
  // A fixed-seed generator: reproducible, and enough odd combinations of '[', '\', '*', '^'
  // to reach the regexp parser's corners (run under -DBUILDER_SANITIZE=ON to catch misuse).
  std::uint32_t state = 12345;
  auto next = [&] {
    state = state * 1103515245u + 12345u;
    return (state >> 16) & 0x7FFF;
  };
  const std::string alphabet = "ab/*?[]^-\\!.:d{}()$\n";
  const std::vector<std::string> paths = {"a", "b/a", "ab", "a/b/", "[", "a\nb", "d:a", "^", "{a}"};
  int created = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string pattern;
    const int len = 1 + static_cast<int>(next() % 8);
    for (int k = 0; k < len; ++k) pattern += alphabet[next() % alphabet.size()];
    if (next() % 16 == 0) pattern += "\xCE\xB6";  // a multi-byte rune
    if (next() % 32 == 0) pattern += "\xFF";      // an invalid byte
    auto pm = PatternMatcher::Create({pattern});
    if (!pm) {
      CHECK(pm.error().code() == ErrorCode::kParse);
      continue;
    }
    ++created;
    for (const std::string& path : paths) {
      auto direct = pm->MatchesOrParentMatches(path);
      auto cold = pm->MatchesUsingParentResults(path, {}, nullptr);
      REQUIRE(direct.has_value() == cold.has_value());
      if (direct) CHECK(*direct == *cold);
    }
  }
  CHECK(created > 1000);
}

}  // namespace
}  // namespace builder::filespec
