// Linter: the check directive's configuration, skipping and experimental rules, error=true.
#include "linter/linter.h"

#include <doctest/doctest.h>

namespace builder::linter {
namespace {

TEST_CASE("ParseLintConfig reads skip, experimental and error as BuildKit") {
  auto c = ParseLintConfig(" skip=A, B ;error=true;experimental=all");
  REQUIRE(c);
  CHECK(c->skip == std::set<std::string>{"A", "B"});
  CHECK_FALSE(c->skip_all);
  CHECK(c->error);
  CHECK(c->experimental_all);
  auto all = ParseLintConfig("skip=all");
  REQUIRE(all);
  CHECK(all->skip_all);
  auto empty = ParseLintConfig("  ");
  REQUIRE(empty);
  CHECK_FALSE(empty->error);
  auto t = ParseLintConfig("error=T");
  REQUIRE(t);
  CHECK(t->error);
}

TEST_CASE("ParseLintConfig errors name the bad option") {
  auto no_eq = ParseLintConfig("skip");
  REQUIRE_FALSE(no_eq);
  CHECK(no_eq.error().message() == "failed to parse check options: invalid check option \"skip\"");
  auto bad_key = ParseLintConfig("skip=A;warn=1");
  REQUIRE_FALSE(bad_key);
  CHECK(bad_key.error().message() == "failed to parse check options: invalid check option \"warn\"");
  auto bad_bool = ParseLintConfig("error=yes");
  REQUIRE_FALSE(bad_bool);
  CHECK(bad_bool.error().message().find("invalid syntax") != std::string::npos);
}

TEST_CASE("Linter drops skipped rules and experimental rules not asked for") {
  Linter skip_one(*ParseLintConfig("skip=MaintainerDeprecated"));
  skip_one.Run(kMaintainerDeprecated, 2, 2, "x");
  skip_one.Run(kUndefinedVar, 3, 3, "y");
  skip_one.Run(kCopyIgnoredFile, 4, 4, "z");
  REQUIRE(skip_one.findings().size() == 1);
  CHECK(skip_one.findings()[0].rule == "UndefinedVar");
  CHECK(skip_one.findings()[0].url == "https://docs.docker.com/go/dockerfile/rule/undefined-var/");

  Linter experimental(*ParseLintConfig("skip=all;experimental=CopyIgnoredFile"));
  experimental.Run(kUndefinedVar, 3, 3, "y");
  experimental.Run(kCopyIgnoredFile, 4, 4, "z");
  REQUIRE(experimental.findings().size() == 1);
  CHECK(experimental.findings()[0].rule == "CopyIgnoredFile");
}

TEST_CASE("error=true turns findings into one error naming each rule once, sorted") {
  Linter lint(*ParseLintConfig("error=true"));
  CHECK(lint.Error());
  lint.Run(kUndefinedVar, 3, 3, "a");
  lint.Run(kJSONArgsRecommended, 4, 4, "b");
  lint.Run(kUndefinedVar, 5, 5, "c");
  auto err = lint.Error();
  REQUIRE_FALSE(err);
  CHECK(err.error().message() == "lint violation found for rules: JSONArgsRecommended, UndefinedVar");
  Linter lenient(LintConfig{});
  lenient.Run(kUndefinedVar, 3, 3, "a");
  CHECK(lenient.Error());
}

TEST_CASE("GoQuote quotes as Go's %q for ASCII") {
  CHECK(GoQuote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(GoQuote("x\ny\t\x01") == "\"x\\ny\\t\\x01\"");
}

}  // namespace
}  // namespace builder::linter
