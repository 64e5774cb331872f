// BuildKit bflag rules: value forms, bools, repeatable flags, unknown/duplicate errors.
#include "parser/flag_set.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace builder::parser {
namespace {

using Words = std::vector<std::string>;

FlagSet CopyFlags() {
  FlagSet f;
  f.AddString("from");
  f.AddString("chown");
  f.AddBool("link");
  f.AddStrings("exclude");
  return f;
}

FlagError ErrorOf(const Words& words) {
  FlagSet f = CopyFlags();
  auto r = f.Parse(words);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

TEST_CASE("values and defaults") {
  FlagSet f = CopyFlags();
  REQUIRE(f.Parse({"--from=build", "--chown=", "--exclude=a", "--exclude=b=c"}).has_value());
  CHECK(f.used("from"));
  CHECK(f.value("from") == "build");
  CHECK(f.used("chown"));
  CHECK(f.value("chown").empty());
  CHECK_FALSE(f.used("link"));
  CHECK(f.value("link") == "false");
  CHECK_FALSE(f.is_true("link"));
  REQUIRE(f.occurrences("exclude").size() == 2);
  CHECK(f.occurrences("exclude")[0].value == "a");
  CHECK(f.occurrences("exclude")[1].value == "b=c");
  CHECK(f.occurrences("exclude")[1].index == 3);
  CHECK(f.index("from") == 0);
  CHECK(f.occurrences("nope").empty());
  CHECK(f.value("nope").empty());
}

TEST_CASE("bool flags") {
  for (const auto& [word, expect] :
       std::vector<std::pair<std::string, bool>>{{"--link", true},
                                                 {"--link=true", true},
                                                 {"--link=TRUE", true},
                                                 {"--link=True", true},
                                                 {"--link=false", false},
                                                 {"--link=FALSE", false}}) {
    FlagSet f = CopyFlags();
    REQUIRE(f.Parse({word}).has_value());
    CHECK_MESSAGE(f.is_true("link") == expect, word);
    CHECK(f.used("link"));
  }
}

TEST_CASE("a bare -- ends the flags") {
  FlagSet f = CopyFlags();
  REQUIRE(f.Parse({"--link", "--", "--bogus"}).has_value());
  CHECK(f.is_true("link"));
}

TEST_CASE("errors") {
  FlagError e = ErrorOf({"--from=a", "--chwon=1"});
  CHECK(e.index == 1);
  CHECK(e.message == "unknown flag: --chwon (did you mean chown?)");
  CHECK(ErrorOf({"--platform=x"}).message == "unknown flag: --platform");
  CHECK(ErrorOf({"--CHOWN=1"}).message == "unknown flag: --CHOWN");
  e = ErrorOf({"--chown=1", "--link", "--chown=2"});
  CHECK(e.index == 2);
  CHECK(e.message == "duplicate flag specified: --chown");
  CHECK(ErrorOf({"--link", "--link=false"}).message == "duplicate flag specified: --link");
  CHECK(ErrorOf({"--from"}).message == "missing a value on flag: --from");
  CHECK(ErrorOf({"--exclude"}).message == "missing a value on flag: --exclude");
  CHECK(ErrorOf({"--link="}).message == "missing a value on flag: --link");
  CHECK(ErrorOf({"--link=yes"}).message == "expecting boolean value for flag --link, not: yes");
  CHECK(ErrorOf({"-x"}).message == "arg should start with -- : -x");
}

}  // namespace
}  // namespace builder::parser
