// cp's pure parts: how typed paths split, and docker's destination rules.
#include "runner/container_copy.h"

#include <doctest/doctest.h>

namespace builder::runner {
namespace {

TEST_CASE("ParseCopyPath: trailing '/' and '/.'") {
  CopyPath p = ParseCopyPath("/data/sub/.");
  CHECK(p.path == "/data/sub");
  CHECK(p.contents_only);
  CHECK(p.must_be_dir);
  p = ParseCopyPath("/data/sub/");
  CHECK(p.path == "/data/sub");
  CHECK_FALSE(p.contents_only);
  CHECK(p.must_be_dir);
  p = ParseCopyPath("/data//file");
  CHECK(p.path == "/data/file");
  CHECK_FALSE(p.must_be_dir);
  p = ParseCopyPath("/");
  CHECK(p.path == "/");
  CHECK(p.contents_only);
}

TEST_CASE("PlanCopyTarget: an existing directory receives the source under its name") {
  auto t = PlanCopyTarget(false, false, "f", ParseCopyPath("/dst"), true, true);
  REQUIRE(t);
  CHECK(t->into_dir == "/dst");
  CHECK(t->top == "f");
  t = PlanCopyTarget(true, false, "dir", ParseCopyPath("/dst/"), true, true);
  REQUIRE(t);
  CHECK(t->top == "dir");
  // "SRC/." copies the contents only.
  t = PlanCopyTarget(true, true, "dir", ParseCopyPath("/dst"), true, true);
  REQUIRE(t);
  CHECK(t->into_dir == "/dst");
  CHECK(t->top == "");
}

TEST_CASE("PlanCopyTarget: a missing destination becomes the copy") {
  auto t = PlanCopyTarget(true, false, "dir", ParseCopyPath("/a/new"), false, false);
  REQUIRE(t);
  CHECK(t->into_dir == "/a");
  CHECK(t->top == "new");
  t = PlanCopyTarget(false, false, "f", ParseCopyPath("/a/g"), false, false);
  REQUIRE(t);
  CHECK(t->top == "g");
  // A file cannot make a missing directory.
  CHECK_FALSE(PlanCopyTarget(false, false, "f", ParseCopyPath("/a/nodir/"), false, false));
}

TEST_CASE("PlanCopyTarget: an existing file is replaced only by a file") {
  auto t = PlanCopyTarget(false, false, "f", ParseCopyPath("/a/g"), true, false);
  REQUIRE(t);
  CHECK(t->into_dir == "/a");
  CHECK(t->top == "g");
  auto dir = PlanCopyTarget(true, false, "d", ParseCopyPath("/a/g"), true, false);
  REQUIRE_FALSE(dir);
  CHECK(dir.error().message().find("cannot copy a directory to a file") != std::string::npos);
  CHECK_FALSE(PlanCopyTarget(false, false, "f", ParseCopyPath("/a/g/"), true, false));
}

}  // namespace
}  // namespace builder::runner
