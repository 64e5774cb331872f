// Report formats: buildx's --check output (source excerpt padding at file edges) and the
// end-of-build summary.
#include "linter/lint_report.h"

#include <doctest/doctest.h>

namespace builder::linter {
namespace {

Finding At(int start, int end, std::string rule = "R", std::string detail = "d") {
  return {std::move(rule), "desc", "https://u/", std::move(detail), start, end};
}

TEST_CASE("no findings") {
  CHECK(FormatCheckReport({}, "Dockerfile", "FROM scratch\n") == "Check complete, no warnings found.\n");
  CHECK(FormatBuildWarnings({}).empty());
}

TEST_CASE("one finding on the first line: four lines of context below, none above") {
  std::string src = "FROM a\nB\nC\nD\nE\nF\n";
  CHECK(FormatCheckReport({At(1, 1)}, "Dockerfile", src) ==
        "Check complete, 1 warning has been found!\n"
        "\nWARNING: R - https://u/\nd\n"
        "Dockerfile:1\n--------------------\n"
        "   1 | >>> FROM a\n   2 |     B\n   3 |     C\n--------------------\n");
}

TEST_CASE("a multi-line range pads by one each side, findings sorted by line") {
  std::string src = "L1\nL2\nL3\nL4\nL5\nL6\nL7";
  std::string out = FormatCheckReport({At(6, 6, "Late"), At(3, 4, "Early")}, "df", src);
  CHECK(out.starts_with("Check complete, 2 warnings have been found!\n\nWARNING: Early"));
  CHECK(out.find("df:3\n--------------------\n   2 |     L2\n   3 | >>> L3\n   4 | >>> L4\n   5 |     L5\n"
                 "--------------------\n") != std::string::npos);
  CHECK(out.find("df:6\n--------------------\n   4 |     L4\n   5 |     L5\n   6 | >>> L6\n   7 |     L7\n"
                 "--------------------\n") != std::string::npos);
}

TEST_CASE("the build summary keeps the order found") {
  CHECK(FormatBuildWarnings({At(4, 4, "B", "two"), At(2, 2, "A", "one")}) ==
        "2 warnings found:\n - B: two (line 4)\n - A: one (line 2)\n");
}

}  // namespace
}  // namespace builder::linter
