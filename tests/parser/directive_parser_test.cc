// Tests for DirectiveParser: recognised shapes, case-insensitive keys, what ends the scan, and
// the two errors.
#include "parser/directive_parser.h"

#include <doctest/doctest.h>

namespace builder::parser {
namespace {

TEST_CASE("directives: syntax, escape and check") {
  DirectiveParser p;
  CHECK(p.Feed("# syntax=docker/dockerfile:1", 1, 1).directive);
  CHECK(p.Feed("#ESCAPE = `", 2, 1).directive);
  CHECK(p.Feed("#  Check\t=\tskip=all;error=true  ", 3, 1).directive);
  CHECK_FALSE(p.done());
  CHECK(p.directives().syntax == "docker/dockerfile:1");
  CHECK(p.directives().escape == '`');
  REQUIRE(p.directives().escape_pos.has_value());
  CHECK(p.directives().escape_pos->line == 2);
  CHECK(p.directives().escape_pos->col == 11);
  CHECK(p.directives().check == "skip=all;error=true");
  CHECK_FALSE(p.Feed("FROM x", 4, 1).directive);
  CHECK(p.done());
}

TEST_CASE("directives: the first other line ends the scan for good") {
  for (std::string_view stopper : {"", "# a comment", "# unknown=1", "#!/bin/sh", "FROM x",
                                   "# escape", "# escape=", "# escape-x=`", "# 1escape=`"}) {
    INFO("stopper: " << stopper);
    DirectiveParser p;
    CHECK(p.Feed("# syntax=a", 1, 1).directive);
    CHECK_FALSE(p.Feed(stopper, 2, 1).directive);
    CHECK(p.done());
    CHECK_FALSE(p.Feed("# escape=`", 3, 1).directive);
    CHECK(p.directives().escape == '\\');
  }
}

TEST_CASE("directives: repeated keys and bad escape values are errors") {
  DirectiveParser p;
  CHECK(p.Feed("# escape=\\", 1, 1).directive);
  auto again = p.Feed("# Escape=`", 2, 1);
  CHECK(again.error);
  CHECK(again.message == "only one escape parser directive can be used");
  CHECK(again.error_col == 3);

  DirectiveParser q;
  auto bad = q.Feed("# escape=x", 1, 4);
  CHECK(bad.error);
  CHECK(bad.message == "invalid escape token 'x' does not match ` or \\");
  CHECK(bad.error_col == 13);

  // Only blanks after '=': the regexp's lazy (.+?) takes the last blank, which is no escape.
  DirectiveParser r;
  auto blank = r.Feed("# escape=  ", 1, 1);
  CHECK(blank.error);
  CHECK(blank.message == "invalid escape token ' ' does not match ` or \\");
}

}  // namespace
}  // namespace builder::parser
