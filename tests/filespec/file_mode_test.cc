// --chmod values: octal range and symbolic clauses.
#include "filespec/file_mode.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::filespec {
namespace {

TEST_CASE("octal modes") {
  CHECK(ParseChmod("755")->octal == 0755u);
  CHECK(ParseChmod("0644")->octal == 0644u);
  CHECK(ParseChmod("0")->octal == 0u);
  CHECK(ParseChmod("7777")->octal == 07777u);
  CHECK(ParseChmod("00007777")->octal == 07777u);
  CHECK(ParseChmod("755")->symbolic.empty());
}

TEST_CASE("symbolic modes") {
  for (std::string_view s : {"u+x", "a+rX", "go-w", "u=rwx,g=rx,o=", "+x", "a+rX,go-w", "u+s",
                             "o+t", "g=u", "u+x-w", "=r"}) {
    auto r = ParseChmod(s);
    REQUIRE_MESSAGE(r.has_value(), std::string(s));
    CHECK(r->symbolic == s);
    CHECK_FALSE(r->octal.has_value());
  }
}

TEST_CASE("invalid modes") {
  for (std::string_view s : {"999", "8", "10000", "07778", "", "64a", "u", "u+q", "x+r", "u+x,",
                             ",u+x", "rwx", "0x1ed", "-755"}) {
    auto r = ParseChmod(s);
    REQUIRE_FALSE_MESSAGE(r.has_value(), std::string(s));
    CHECK(r.error().message() == "invalid chmod parameter: '" + std::string(s) +
                                     "'. it should be octal string and between 0 and 07777");
  }
}

}  // namespace
}  // namespace builder::filespec
