// Tests for EscapeText/UnescapeText: lossless, injective, identity on plain UTF-8.
#include "cache/json_text.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace builder::cache {
namespace {

TEST_CASE("json text: plain UTF-8 is unchanged, other bytes are escaped") {
  CHECK(EscapeText("src/main.c") == "src/main.c");
  CHECK(EscapeText("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
  CHECK(EscapeText("100%") == "100%25");
  CHECK(EscapeText("caf\xe9") == "caf%E9");
  CHECK(EscapeText("\xc0\xaf") == "%C0%AF");           // overlong '/'
  CHECK(EscapeText("\xed\xa0\x80") == "%ED%A0%80");    // a surrogate
  CHECK(EscapeText("\xf4\x90\x80\x80") == "%F4%90%80%80");  // above U+10FFFF
  CHECK(EscapeText("\xe6\x97") == "%E6%97");           // truncated sequence
  CHECK(EscapeText(std::string("a\0b", 3)) == std::string("a\0b", 3));
}

TEST_CASE("json text: round trips and stays distinct") {
  std::set<std::string> escaped;
  const std::string samples[] = {"", "%", "%25", "%E9", "\xe9", "a\xff\xfe", "x%y", "\xc3\xa9"};
  for (const std::string& s : samples) {
    std::string e = EscapeText(s);
    auto back = UnescapeText(e);
    REQUIRE(back);
    CHECK(*back == s);
    escaped.insert(e);
    // nlohmann must accept the result (it throws on invalid UTF-8).
    nlohmann::json j = e;
    CHECK(nlohmann::json::parse(j.dump()).get<std::string>() == e);
  }
  CHECK(escaped.size() == std::size(samples));
}

TEST_CASE("json text: malformed escapes are refused") {
  CHECK(!UnescapeText("%"));
  CHECK(!UnescapeText("%4"));
  CHECK(!UnescapeText("%zz"));
  CHECK(!UnescapeText("abc%G1"));
  CHECK(UnescapeText("%41%61") == std::optional<std::string>("Aa"));
}

}  // namespace
}  // namespace builder::cache
