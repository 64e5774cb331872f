// Edit distance and BuildKit's "did you mean" choice.
#include "parser/suggest.h"

#include <doctest/doctest.h>

#include <array>
#include <string>

namespace builder::parser {
namespace {

constexpr std::array<std::string_view, 4> kFlags = {"chown", "from", "chmod", "link"};

TEST_CASE("EditDistance") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("abc", "") == 3);
  CHECK(EditDistance("", "abc") == 3);
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("chwon", "chown") == 2);
  CHECK(EditDistance("form", "from") == 2);
  CHECK(EditDistance("run", "runn") == 1);
  CHECK(EditDistance(std::string(10000, 'a'), "a") == 9999);
}

TEST_CASE("Suggest picks the closest option within distance 2") {
  CHECK(Suggest("chwon", kFlags, true) == "chown");
  CHECK(Suggest("frm", kFlags, true) == "from");
  CHECK_FALSE(Suggest("platform", kFlags, true).has_value());
  CHECK_FALSE(Suggest("xyz", kFlags, true).has_value());
  // An exact match means the error is about something else.
  CHECK_FALSE(Suggest("link", kFlags, true).has_value());
  // Case-sensitive comparison does not fold.
  CHECK_FALSE(Suggest("LINK", std::array<std::string_view, 1>{"link"}, true).has_value());
  // Ties: the first option in the given order wins.
  CHECK(Suggest("chmwn", kFlags, true) == "chown");
}

TEST_CASE("Suggest without case follows the user's case") {
  constexpr std::array<std::string_view, 3> kNames = {"RUN", "FROM", "COPY"};
  CHECK(Suggest("RUNN", kNames, false) == "RUN");
  CHECK(Suggest("runn", kNames, false) == "run");
  CHECK(Suggest("Runn", kNames, false) == "run");
  CHECK(Suggest("form", kNames, false) == "from");
  CHECK_FALSE(Suggest("run", kNames, false).has_value());
}

TEST_CASE("WithSuggestion") {
  CHECK(WithSuggestion("unknown flag: --chwon", "chwon", kFlags, true) ==
        "unknown flag: --chwon (did you mean chown?)");
  CHECK(WithSuggestion("unknown flag: --zzzzz", "zzzzz", kFlags, true) == "unknown flag: --zzzzz");
}

}  // namespace
}  // namespace builder::parser
