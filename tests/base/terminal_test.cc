// Tests for terminal facts: width fallback, line sanitizing and UTF-8 aware clamping.
#include <doctest/doctest.h>

#include <unistd.h>

#include "base/terminal.h"

namespace builder {
namespace {

TEST_CASE("a pipe is no interactive terminal and is 80 columns wide") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  CHECK_FALSE(IsInteractiveTerminal(fds[1]));
  CHECK(TerminalWidth(fds[1]) == 80);
  CHECK(TerminalHeight(fds[1]) == 0);
  ::close(fds[0]);
  ::close(fds[1]);
  CHECK(TerminalWidth(-1) == 80);
}

TEST_CASE("SanitizeLine drops escape sequences and blanks control characters") {
  CHECK(SanitizeLine("plain") == "plain");
  CHECK(SanitizeLine("\033[1;31mred\033[0m text") == "red text");
  CHECK(SanitizeLine("a\tb\x01" "c\x7f") == "a b c ");
  CHECK(SanitizeLine("up\033Mdown") == "updown");
  CHECK(SanitizeLine("cut\033[12") == "cut");  // unterminated sequence at the end
  CHECK(SanitizeLine("\033") == "");
  CHECK(SanitizeLine("h\xc3\xa9llo") == "h\xc3\xa9llo");  // UTF-8 kept
}

TEST_CASE("columns count code points and clamping never splits one") {
  CHECK(DisplayColumns("") == 0);
  CHECK(DisplayColumns("abc") == 3);
  CHECK(DisplayColumns("h\xc3\xa9llo") == 5);
  CHECK(ClampColumns("abcdef", 3) == "abc");
  CHECK(ClampColumns("abc", 3) == "abc");
  CHECK(ClampColumns("abc", 10) == "abc");
  CHECK(ClampColumns("abc", 0) == "");
  CHECK(ClampColumns("h\xc3\xa9llo", 2) == "h\xc3\xa9");
  CHECK(ClampColumns("h\xc3\xa9llo", 1) == "h");
  CHECK(ClampColumns("\xe2\x82\xac\xe2\x82\xac", 1) == "\xe2\x82\xac");
}

}  // namespace
}  // namespace builder
