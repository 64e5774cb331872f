// Tests for ShellLexer: BuildKit's envVarTest/wordsTest data files, then operators, options and
// errors.
#include "parser/shell_lexer.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/conformance.h"

namespace builder::parser {
namespace {

const std::string kShellData = BUILDER_CONFORMANCE_DIR "/buildkit-parser/shell/";

std::string Trim(std::string_view s, std::string_view chars = " \t\n\v\f\r") {
  const auto b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(chars);
  return std::string(s.substr(b, e - b + 1));
}

// Go's strings.TrimLeft(s, " "): trailing spaces stay, they are significant in wordsTest.
std::string TrimLeftSpaces(std::string_view s) {
  const auto b = s.find_first_not_of(' ');
  return b == std::string_view::npos ? "" : std::string(s.substr(b));
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto at = s.find(sep, start);
    out.emplace_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

// Expands with the default lexer; "error" when it fails, as the data files spell failures.
std::string Expand(std::string_view word, const ShellEnv& env, ShellLexOptions options = {}) {
  auto r = ShellLexer(options).ProcessWord(word, env);
  return r ? r->word : "error";
}

std::string ErrorText(std::string_view word, const ShellEnv& env, ShellLexOptions options = {}) {
  auto r = ShellLexer(options).ProcessWord(word, env);
  REQUIRE_FALSE(r.has_value());
  return r.error().ToString();
}

TEST_CASE("envVarTest: every case of BuildKit's variable-expansion data file") {
  BUILDER_NEED_CONFORMANCE(kShellData + "envVarTest");
  std::ifstream file(kShellData + "envVarTest");
  REQUIRE_MESSAGE(file.is_open(), "missing conformance file: " << kShellData << "envVarTest");
  const std::vector<std::string> entries = {"PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL="};
  const ShellEnv unix_env = ShellEnv::FromEntries(entries);
  const ShellEnv windows_env = ShellEnv::FromEntries(entries, /*case_insensitive=*/true);
  int cases = 0, errors = 0, line_no = 0;
  std::string line;
  while (std::getline(file, line)) {
    ++line_no;
    if (line.starts_with("#")) continue;
    line = Trim(line);
    if (line.empty()) continue;
    const auto fields = Split(line, '|');
    REQUIRE_MESSAGE(fields.size() == 3, "line " << line_no);
    const std::string platform = Trim(fields[0]);
    const std::string source = Trim(fields[1]);
    const std::string expected = Trim(fields[2]);
    REQUIRE((platform == "A" || platform == "U" || platform == "W"));
    // W cases describe Windows, where names are case-insensitive; run them with that lookup.
    const ShellEnv& env = platform == "W" ? windows_env : unix_env;
    auto result = ShellLexer().ProcessWord(source, env);
    INFO("line " << line_no << ": " << source);
    if (expected == "error") {
      ++errors;
      CHECK_FALSE(result.has_value());
    } else {
      REQUIRE_MESSAGE(result.has_value(), result.error().ToString());
      CHECK(result->word == expected);
    }
    ++cases;
  }
  CHECK(cases == 230);
  CHECK(errors == 36);
}

TEST_CASE("wordsTest: every case of BuildKit's word-splitting data file") {
  BUILDER_NEED_CONFORMANCE(kShellData + "wordsTest");
  std::ifstream file(kShellData + "wordsTest");
  REQUIRE_MESSAGE(file.is_open(), "missing conformance file: " << kShellData << "wordsTest");
  ShellEnv env;  // ENV lines accumulate through the file
  int cases = 0, env_lines = 0, line_no = 0;
  std::string line;
  while (std::getline(file, line)) {
    ++line_no;
    if (line.starts_with("#")) continue;
    if (line.starts_with("ENV ")) {
      env.SetEntry(TrimLeftSpaces(std::string_view(line).substr(3)));
      ++env_lines;
      continue;
    }
    const auto fields = Split(line, '|');
    REQUIRE_MESSAGE(fields.size() == 2, "line " << line_no);
    const std::string input = Trim(fields[0]);
    const auto expected = Split(TrimLeftSpaces(fields[1]), ',');
    auto result = ShellLexer().ProcessWords(input, env);
    const std::vector<std::string> got = result ? result->words : std::vector<std::string>{"error"};
    INFO("line " << line_no << ": " << input);
    CHECK(got == expected);
    ++cases;
  }
  CHECK(cases == 24);
  CHECK(env_lines == 4);
}

// Pattern operators with matched/unmatched tracking, in the spirit of BuildKit's
// TestProcessWithMatches. "error" means the expansion must fail.
struct MatchCase {
  const char* input;
  std::vector<std::string> env;
  const char* expected;
  std::set<std::string> matched;
  std::set<std::string> unmatched;
};

TEST_CASE("pattern operators: results and the variables they saw") {
  const std::vector<MatchCase> cases = {
      {"x", {"DUMMY=dummy"}, "x", {}, {}},
      {"x ${UNUSED}", {"DUMMY=dummy"}, "x ", {}, {"UNUSED"}},
      {"x ${FOO}", {"FOO=y"}, "x y", {"FOO"}, {}},
      {"${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
       {"FOO=xxx", "BAR="},
       "xxx  ccc",
       {"FOO", "BAR"},
       {"BAZ"}},
      {"${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}",
       {"FOO=xxx", "BAR="},
       "xxx bbb ccc",
       {"FOO", "BAR"},
       {"BAZ"}},
      {"${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}",
       {"FOO=xxx", "BAR="},
       "aaa bbb ",
       {"FOO", "BAR"},
       {"BAZ"}},
      {"${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}",
       {"FOO=xxx", "BAR="},
       "aaa  ",
       {"FOO", "BAR"},
       {"BAZ"}},
      {"${FOO:-$BAR}", {"FOO=x"}, "x", {"FOO"}, {"BAR"}},  // the unused default is still read
      {"${FOO?aaa}", {"FOO=xxx"}, "xxx", {"FOO"}, {}},
      {"${BAR?bbb}", {"BAR="}, "", {"BAR"}, {}},
      {"${BAZ?ccc}", {}, "error", {}, {"BAZ"}},
      {"${BAR:?bbb}", {"BAR="}, "error", {"BAR"}, {}},
      {"${FOO=aaa}", {"FOO=xxx"}, "error", {}, {}},
      {"${FOO:=aaa}", {"FOO=xxx"}, "error", {"FOO"}, {}},
      // # and ##: shortest and longest prefix.
      {"${FOO#*x*y}", {"FOO=xxyy"}, "y", {"FOO"}, {}},
      {"${FOO##*x*y}", {"FOO=xxyy"}, "", {"FOO"}, {}},
      {"${FOO#*}", {"FOO=xxyy"}, "xxyy", {"FOO"}, {}},
      {"${FOO##*}", {"FOO=xxyy"}, "", {"FOO"}, {}},
      {"${FOO#x}", {"FOO=xxyy"}, "xyy", {"FOO"}, {}},
      {"${FOO##*x}", {"FOO=xxyy"}, "yy", {"FOO"}, {}},
      {"${FOO#}", {"FOO=xxyy"}, "xxyy", {"FOO"}, {}},
      {"${FOO##}", {"FOO=xxyy"}, "xxyy", {"FOO"}, {}},
      {"${FOO#y}", {"FOO=xxyy"}, "xxyy", {"FOO"}, {}},  // anchored: no match in the middle
      {"${FOO#?\\?}", {"FOO=???y"}, "?y", {"FOO"}, {}},
      {"${FOO#??}", {"FOO=한국어"}, "어", {"FOO"}, {}},  // ? is one code point, not one byte
      {"${FOO#$BAR}", {"FOO=xxyy", "BAR=x"}, "xyy", {"FOO", "BAR"}, {}},
      {"${FOO#$BAR}", {"FOO=xxyy", "BAR="}, "xxyy", {"FOO", "BAR"}, {}},
      {"${FOO#()[]{\\}^$.\\*\\?|\\\\}", {"FOO=()[]{}^$.*?|\\x"}, "x", {"FOO"}, {}},
      {"${FOO#[a-z]}", {"FOO=abc"}, "abc", {"FOO"}, {}},  // no bracket expressions in BuildKit
      {"${FOO#[a-z]}", {"FOO=[a-z]abc"}, "abc", {"FOO"}, {}},
      {"${FOO#*/}", {"FOO=a/b/c"}, "b/c", {"FOO"}, {}},
      {"${FOO##*/}", {"FOO=a/b/c"}, "c", {"FOO"}, {}},
      {"${FOO#*}", {}, "", {}, {"FOO"}},
      {"${FOO#x}", {"FOO="}, "", {"FOO"}, {}},
      // % and %%: shortest and longest suffix.
      {"${FOO%x}", {"FOO=xxyy"}, "xxyy", {"FOO"}, {}},
      {"${ABC:-.}${FOO%y}${ABC:-.}", {"FOO=xxyy"}, ".xxy.", {"FOO"}, {"ABC"}},
      {"${FOO%%\\**}", {"FOO=xx**"}, "xx", {"FOO"}, {}},
      {"${FOO%%\\**\\*}", {"FOO=a***yy*"}, "a", {"FOO"}, {}},
      {"${FOO%\\**\\*}", {"FOO=a***yy*"}, "a**", {"FOO"}, {}},
      {"${FOO%}", {"FOO=xxyy"}, "xxyy", {"FOO"}, {}},
      {"${FOO%%$BAR}", {"FOO=xxyy", "BAR="}, "xxyy", {"FOO", "BAR"}, {}},
      {"${FOO%.*}", {"FOO=file.tar.gz"}, "file.tar", {"FOO"}, {}},
      {"${FOO%%.*}", {"FOO=file.tar.gz"}, "file", {"FOO"}, {}},
      {"${FOO%?}", {"FOO=한국어"}, "한국", {"FOO"}, {}},
      {"${FOO%[0-9]}", {"FOO=v1"}, "v1", {"FOO"}, {}},
      {"${FOO%%*}", {}, "", {}, {"FOO"}},
      // / and //: first and every match, leftmost and longest.
      {"${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
       {"FOO=/foo*/*/*.txt", "NEEDLE=\\*/"},
       "/foo.*/*.txt - /foo..*.txt",
       {"FOO", "NEEDLE"},
       {}},
      {"${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
       {"FOO=/tmp/tmp/bar.txt", "NEEDLE=/tmp"},
       "/tmp/bar.txt - /bar.txt",
       {"FOO", "NEEDLE"},
       {}},
      {"${FOO/$NEEDLE/$R} - ${FOO//$NEEDLE/$R}",
       {"FOO=/a/foo/b/c.txt", "NEEDLE=/?/", "R=/"},
       "/foo/b/c.txt - /foo/c.txt",
       {"FOO", "NEEDLE", "R"},
       {}},
      {"${FOO/$NEEDLE/$R}",
       {"FOO=http://google.de", "NEEDLE=http://", "R=https://"},
       "https://google.de",
       {"FOO", "NEEDLE", "R"},
       {}},
      {"${FOO//\\//\\/}", {"FOO=/tmp/foo.txt"}, "\\/tmp\\/foo.txt", {"FOO"}, {}},
      {"${FOO/o*/0}", {"FOO=foo boo"}, "f0", {"FOO"}, {}},
      {"${FOO//o/0}", {"FOO=foo boo"}, "f00 b00", {"FOO"}, {}},
      {"${FOO//[o]/0}", {"FOO=f[o]o"}, "f0o", {"FOO"}, {}},
      {"${FOO/x/y}", {"FOO=abc"}, "abc", {"FOO"}, {}},
      {"${FOO/$BAR/ww}", {"FOO=xxyy", "BAR="}, "wwxxyy", {"FOO", "BAR"}, {}},
      {"${FOO///}", {"FOO=xxyy"}, "xxyy", {"FOO"}, {}},
      {"${FOO///}", {}, "", {}, {"FOO"}},
      {"${FOO//a/b}", {"FOO="}, "", {"FOO"}, {}},
      {"${FOO//ww}", {"FOO=xxyy"}, "error", {}, {}},
      {"${FOO//}", {"FOO=xxyy"}, "error", {}, {}},
      {"${FOO#\\x}", {"FOO=xxyy"}, "error", {"FOO"}, {}},
      {"${FOO:#x}", {"FOO=xxyy"}, "error", {}, {}},
      {"${FOO:%x}", {"FOO=xxyy"}, "error", {}, {}},
  };
  int n = 0;
  for (const auto& c : cases) {
    INFO(c.input << " with " << c.env.size() << " variables");
    auto result = ShellLexer().ProcessWord(c.input, ShellEnv::FromEntries(c.env));
    if (std::string(c.expected) == "error") {
      CHECK_FALSE(result.has_value());
    } else {
      REQUIRE_MESSAGE(result.has_value(), result.error().ToString());
      CHECK(result->word == c.expected);
      CHECK(result->matched == c.matched);
      CHECK(result->unmatched == c.unmatched);
    }
    ++n;
  }
  CHECK(n >= 40);
}

TEST_CASE("${V?msg} and ${V:?msg} report the name and the message") {
  const ShellEnv set = ShellEnv::FromEntries({"VAR=plain", "ARG=x"});
  const ShellEnv empty = ShellEnv::FromEntries({"VAR=", "ARG=x"});
  const ShellEnv unset = ShellEnv::FromEntries({"ARG=x"});
  const char* no_empty = "${VAR:?message here$ARG}";
  const char* no_unset = "${VAR?message here$ARG}";
  CHECK(Expand(no_empty, set) == "plain");
  CHECK(ErrorText(no_empty, empty).find("VAR: message herex") != std::string::npos);
  CHECK(ErrorText(no_empty, unset).find("VAR: message herex") != std::string::npos);
  CHECK(Expand(no_unset, set) == "plain");
  CHECK(Expand(no_unset, empty) == "");
  CHECK(ErrorText(no_unset, unset).find("VAR: message herex") != std::string::npos);
  CHECK(ErrorText("${VAR?}", unset) ==
        "failed to process \"${VAR?}\": VAR: is not allowed to be unset");
  CHECK(ErrorText("${VAR:?}", empty) ==
        "failed to process \"${VAR:?}\": VAR: is not allowed to be empty");
  CHECK(ErrorText("${VAR:?}", unset) ==
        "failed to process \"${VAR:?}\": VAR: is not allowed to be unset");
  auto r = ShellLexer().ProcessWord("${VAR?}", unset);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("error texts follow BuildKit's") {
  const ShellEnv env = ShellEnv::FromEntries({"V=v"});
  auto has = [&](std::string_view word, std::string_view text) {
    const std::string e = ErrorText(word, env);
    INFO(word << " -> " << e);
    CHECK(e.find(text) != std::string::npos);
  };
  has("${V", "syntax error: missing '}'");
  has("${", "syntax error: missing '}'");
  has("${V:-x", "syntax error: missing '}'");
  has("${}", "syntax error: bad substitution");
  has("${:-x}", "syntax error: bad substitution");
  has("${{V}", "syntax error: bad substitution");
  has("${V:=x}", "unsupported modifier (:=) in substitution");
  has("${V=x}", "unsupported modifier (=) in substitution");
  has("${.}", "unsupported modifier (.) in substitution");
  has("${V/x", "syntax error: missing '/' in ${}");
  has("${V/x/y", "syntax error: missing '}'");
  has("'abc", "unexpected end of statement while looking for matching single-quote");
  has("\"abc", "unexpected end of statement while looking for matching double-quote");
  has("${V#\\a}", "invalid pattern (\\a) in substitution: invalid escape '\\a'");
  CHECK(ErrorText("a\"b", env) ==
        "failed to process \"a\\\"b\": unexpected end of statement while looking for matching "
        "double-quote");
  CHECK(ErrorText("'a\n\tb\x01", env).starts_with("failed to process \"'a\\n\\tb\\x01\": "));
  auto r = ShellLexer().ProcessWord("${}", env);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kParse);
}

TEST_CASE("backtick as the escape character leaves backslashes literal") {
  const ShellEnv env = ShellEnv::FromEntries({"PWD=/home", "V=a*b"});
  ShellLexOptions tick;
  tick.escape = '`';
  CHECK(Expand("C:\\path\\to", env, tick) == "C:\\path\\to");
  CHECK(Expand("he`$PWD", env, tick) == "he$PWD");
  CHECK(Expand("he\\$PWD", env, tick) == "he\\/home");
  CHECK(Expand("\"a`\"b\"", env, tick) == "a\"b");
  CHECK(Expand("\"a\\\"b", env, tick) == "a\\b");  // \" does not escape the quote
  CHECK(Expand("\"a`tb\"", env, tick) == "a`tb");  // ` only escapes " $ and ` inside "..."
  CHECK(Expand("\"a``b\"", env, tick) == "a`b");
  CHECK(Expand("a``b", env, tick) == "a`b");
  CHECK(Expand("a`", env, tick) == "a");
  CHECK(Expand("a` b", env, tick) == "a b");
  // Patterns still use backslash escapes; the backtick escape is kept in the pattern text.
  CHECK(Expand("${V#a\\*}", env, tick) == "b");
  CHECK(Expand("${V%\\*b}", env, tick) == "a");
  // The escape stays in the pattern, where a backtick is an ordinary character: "`*" is a
  // literal backtick followed by a wildcard.
  CHECK(Expand("${V#`*}", env, tick) == "a*b");
  CHECK(Expand("${T#`*}", ShellEnv::FromEntries({"T=`xy"}), tick) == "xy");
  CHECK(Expand("${T##`*}", ShellEnv::FromEntries({"T=`xy"}), tick) == "");
  auto words = ShellLexer(tick).ProcessWords("a` b c\\ d", env);
  REQUIRE(words);
  CHECK(words->words == std::vector<std::string>{"a b", "c\\", "d"});
}

TEST_CASE("quotes, escapes and special parameters") {
  const ShellEnv env = ShellEnv::FromEntries({"A=1", "SP=a  b"});
  CHECK(Expand("$A$A", env) == "11");
  CHECK(Expand("${A}x", env) == "1x");
  CHECK(Expand("$", env) == "$");
  CHECK(Expand("a$", env) == "a$");
  CHECK(Expand("$'x'", env) == "$x");
  CHECK(Expand("$1$@$*$#$?$-$$$!$0", env) == "");
  CHECK(Expand("${10}", ShellEnv::FromEntries({"10=ten"})) == "ten");  // only unset by default
  CHECK(Expand("\"$SP\"", env) == "a  b");
  CHECK(Expand("'$SP'", env) == "$SP");
  CHECK(Expand("\"\\a\"", env) == "\\a");
  CHECK(Expand("\xEF\xBB\xBFx", env) == "x");  // a leading BOM is dropped, as Go's scanner does
  CHECK(Expand("a\xFFz", env) == "a\xEF\xBF\xBDz");  // invalid UTF-8 reads as U+FFFD
  CHECK(Expand("$한국=", ShellEnv::FromEntries({"한국=k"})) ==
        "k=");  // names may be non-ASCII letters
  auto w = ShellLexer().ProcessWords("x${SP}y \"$SP\" '' \"\" ${NOPE} z", env);
  REQUIRE(w);
  CHECK(w->words == std::vector<std::string>{"xa", "by", "a  b", "z"});
  CHECK(w->word == "xa  by a  b    z");
  auto nested = ShellLexer().ProcessWords("pre${NOPE:-a b}post", env);
  REQUIRE(nested);
  CHECK(nested->words == std::vector<std::string>{"prea", "bpost"});
}

TEST_CASE("lexer options") {
  const ShellEnv env = ShellEnv::FromEntries({"A=1"});
  ShellLexOptions raw_quotes;
  raw_quotes.raw_quotes = true;
  CHECK(Expand("'a'\"$A\"", env, raw_quotes) == "'a'\"1\"");
  ShellLexOptions raw_escapes;
  raw_escapes.raw_escapes = true;
  CHECK(Expand("a\\ b\\$A", env, raw_escapes) == "a\\ b\\$A");
  ShellLexOptions skip_quotes;
  skip_quotes.skip_process_quotes = true;
  CHECK(Expand("'$A' \"x", env, skip_quotes) == "'1' \"x");
  ShellLexOptions skip_unset;
  skip_unset.skip_unset_env = true;
  CHECK(Expand("$A $B ${B} ${B:-x} ${B?m} ${B#p} ${B/p/r} ${B//p/r}", env, skip_unset) ==
        "1 $B ${B} ${B:-x} ${B?m} ${B#p} ${B/p/r} ${B//p/r}");
}

TEST_CASE("ShellEnv: later entries win, order kept, optional case-insensitivity") {
  ShellEnv env = ShellEnv::FromEntries({"A=1", "B", "A=2", "C=x=y"});
  CHECK(env.Get("A") == "2");
  CHECK(env.Get("B") == "");
  CHECK(env.Get("C") == "x=y");
  CHECK_FALSE(env.Get("a").has_value());
  REQUIRE(env.entries().size() == 3);
  CHECK(env.entries()[0] == std::pair<std::string, std::string>{"A", "2"});
  ShellEnv win = ShellEnv::FromEntries({"Path=/bin"}, true);
  CHECK(win.Get("PATH") == "/bin");
  CHECK(win.case_insensitive());
}

TEST_CASE("no blow-up on long values or nesting") {
  const std::string long_value(200000, 'a');
  const ShellEnv env =
      ShellEnv::FromEntries({"V=" + long_value, "W=" + std::string(100000, 'a') + "\n"});
  // A backtracking matcher would take hours here; the ctest timeout is the guard, not a clock.
  CHECK(Expand("${V//*a*a*a*a*/x}", env) == "x");
  CHECK(Expand("${V#*a*a*a*a*b}", env) == long_value);
  CHECK(Expand("${V%%*a*a*a*a*b}", env) == long_value);
  CHECK(Expand("${V//a*b/x}", env) == long_value);
  CHECK(Expand("${V//a/}", env) == "");
  CHECK(Expand("${W/*a*a*a*a*/x}", env) == "x\n");
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "${X:-";
  deep += "z" + std::string(100, '}');
  CHECK(Expand(deep, env) == "z");
  std::string too_deep;
  for (int i = 0; i < 5000; ++i) too_deep += "${X:-";
  CHECK(Expand(too_deep, env) == "error");
}

}  // namespace
}  // namespace builder::parser
