// --chmod applied to modes: octal replaces, symbolic edits.
#include "executor/file_mode_apply.h"

#include <doctest/doctest.h>

namespace builder::executor {
namespace {

mode_t Apply(const std::string& spec, mode_t mode, bool dir = false) {
  auto parsed = filespec::ParseChmod(spec);
  REQUIRE(parsed);
  return ApplyChmod(*parsed, mode, dir);
}

TEST_CASE("octal modes replace the permission bits") {
  CHECK(Apply("0751", 0644) == 0751);
  CHECK(Apply("4755", 0644) == 04755);
}

TEST_CASE("symbolic clauses add, remove and set") {
  CHECK(Apply("u+x", 0644) == 0744);
  CHECK(Apply("g-r", 0644) == 0604);
  CHECK(Apply("u+x,g-r", 0644) == 0704);
  CHECK(Apply("a=r", 0755) == 0444);
  CHECK(Apply("+x", 0600) == 0711);
  CHECK(Apply("o=u", 0640) == 0646);
  CHECK(Apply("go=", 0755) == 0700);
}

TEST_CASE("X sets execute only for directories or already executable files") {
  CHECK(Apply("a+X", 0644, false) == 0644);
  CHECK(Apply("a+X", 0644, true) == 0755);
  CHECK(Apply("a+X", 0744, false) == 0755);
}

}  // namespace
}  // namespace builder::executor
