// Tests for ParseJsonStringArray: Go encoding/json's grammar and string decoding, the three
// outcomes, offsets, and deep nesting without recursion.
#include "parser/json_array.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::parser {
namespace {

JsonArrayKind Kind(std::string_view text) { return ParseJsonStringArray(text).kind; }

std::vector<std::string> Items(std::string_view text) {
  auto json = ParseJsonStringArray(text);
  REQUIRE(json.kind == JsonArrayKind::kStrings);
  return json.items;
}

TEST_CASE("JSON arrays of strings") {
  CHECK(Items("[]").empty());
  CHECK(Items(" [ ] ").empty());
  CHECK(Items("[\"a\"]") == std::vector<std::string>{"a"});
  CHECK(Items("[ \"a\" , \"b c\",\"\" ]") == std::vector<std::string>{"a", "b c", ""});
  CHECK(Items("\t\n[\"x\"]\r\n") == std::vector<std::string>{"x"});
  CHECK(Items("\xc2\xa0[\"x\"]") == std::vector<std::string>{"x"});  // Unicode space before '['
}

TEST_CASE("JSON string escapes decode as Go's decoder does") {
  CHECK(Items(R"(["\"\\\/\b\f\n\r\t"])") == std::vector<std::string>{"\"\\/\b\f\n\r\t"});
  CHECK(Items(R"(["\u0041\u00e9\u2665"])") == std::vector<std::string>{"A\xc3\xa9\xe2\x99\xa5"});
  CHECK(Items(R"(["\u0000"])") == std::vector<std::string>{std::string(1, '\0')});
  // A surrogate pair joins; a lone or reversed surrogate is U+FFFD.
  CHECK(Items(R"(["\ud83d\ude00"])") == std::vector<std::string>{"\xf0\x9f\x98\x80"});
  CHECK(Items(R"(["\ud83d"])") == std::vector<std::string>{"\xef\xbf\xbd"});
  CHECK(Items(R"(["\ude00\ud83d"])") == std::vector<std::string>{"\xef\xbf\xbd\xef\xbf\xbd"});
  CHECK(Items(R"(["\ud83dx"])") == std::vector<std::string>{"\xef\xbf\xbdx"});
  CHECK(Items(R"(["\ud83d\u0041"])") == std::vector<std::string>{"\xef\xbf\xbd"
                                                                 "A"});
  // Raw UTF-8 passes through; each invalid byte becomes U+FFFD.
  CHECK(Items("[\"\xe2\x99\xa5\"]") == std::vector<std::string>{"\xe2\x99\xa5"});
  CHECK(Items("[\"a\xff\"]") == std::vector<std::string>{"a\xef\xbf\xbd"});
}

TEST_CASE("invalid JSON falls back (kNotArray)") {
  CHECK(Kind("") == JsonArrayKind::kNotArray);
  CHECK(Kind("echo hi") == JsonArrayKind::kNotArray);
  CHECK(Kind("['a']") == JsonArrayKind::kNotArray);
  CHECK(Kind("[\"a\"") == JsonArrayKind::kNotArray);
  CHECK(Kind("[\"a]") == JsonArrayKind::kNotArray);
  CHECK(Kind("[\"a\"] x") == JsonArrayKind::kNotArray);
  CHECK(Kind("[\"a\",]") == JsonArrayKind::kNotArray);
  CHECK(Kind("[,\"a\"]") == JsonArrayKind::kNotArray);
  CHECK(Kind("[\"a\" \"b\"]") == JsonArrayKind::kNotArray);
  CHECK(Kind("[\"a\tb\"]") == JsonArrayKind::kNotArray);  // raw control character
  CHECK(Kind(R"(["\x"])") == JsonArrayKind::kNotArray);
  CHECK(Kind(R"(["\u12"])") == JsonArrayKind::kNotArray);
  CHECK(Kind("[\"a\"]\v") == JsonArrayKind::kNotArray);  // \v is not JSON white space
  CHECK(Kind("[01]") == JsonArrayKind::kNotArray);
  CHECK(Kind("[1.]") == JsonArrayKind::kNotArray);
  CHECK(Kind("[tru]") == JsonArrayKind::kNotArray);
  CHECK(Kind("[{\"a\" 1}]") == JsonArrayKind::kNotArray);
  CHECK(Kind("[{1:2}]") == JsonArrayKind::kNotArray);
  CHECK(Kind("[1e999]") == JsonArrayKind::kNotArray);  // overflows float64: Go reports it
}

TEST_CASE("valid JSON with a non-string element (kNonString) and its offset") {
  auto json = ParseJsonStringArray("[ \"echo\", [ \"nested json\" ] ]");
  CHECK(json.kind == JsonArrayKind::kNonString);
  CHECK(json.bad_offset == 10);
  CHECK(Kind("[1]") == JsonArrayKind::kNonString);
  CHECK(Kind("[\"a\", null]") == JsonArrayKind::kNonString);
  CHECK(Kind("[true, false]") == JsonArrayKind::kNonString);
  CHECK(Kind("[{\"a\": [1, {\"b\": null}]}]") == JsonArrayKind::kNonString);
  CHECK(Kind("[-0.5e+3]") == JsonArrayKind::kNonString);
  CHECK(Kind("[1e-999]") == JsonArrayKind::kNonString);  // underflow is fine in Go
}

// BuildKit's json_test.go tables.
TEST_CASE("BuildKit's valid and invalid arrays of strings") {
  for (std::string_view bad :
       {R"(["a",42,"b"])", R"(["a",123.456,"b"])", R"(["a",{},"b"])", R"(["a",{"c": "d"},"b"])",
        R"(["a",["c"],"b"])", R"(["a",true,"b"])", R"(["a",false,"b"])", R"(["a",null,"b"])"}) {
    INFO(bad);
    CHECK(Kind(bad) == JsonArrayKind::kNonString);
  }
  CHECK(Items(R"([""])") == std::vector<std::string>{""});
  CHECK(Items(R"(["a","b"])") == std::vector<std::string>{"a", "b"});
  CHECK(Items("[\t\"a\",\t\"b\"\t]") == std::vector<std::string>{"a", "b"});
  CHECK(Items("\t[\t\"a\",\t\"b\"\t]\t") == std::vector<std::string>{"a", "b"});
  CHECK(
      Items(R"(["abc 123", "♥", "☃", "\" \\ \/ \b \f \n \r \t \u0000"])") ==
      std::vector<std::string>{"abc 123", "♥", "☃", std::string("\" \\ / \b \f \n \r \t \0", 17)});
}

TEST_CASE("offsets point at each element's opening quote") {
  auto json = ParseJsonStringArray("  [\"a\",  \"bc\"]");
  REQUIRE(json.kind == JsonArrayKind::kStrings);
  CHECK(json.offsets == std::vector<std::size_t>{3, 9});
}

TEST_CASE("deep nesting is iterative and capped like Go's decoder") {
  auto nest = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']');
  };
  CHECK(Kind(nest(kMaxJsonDepth)) == JsonArrayKind::kNonString);
  CHECK(Kind(nest(kMaxJsonDepth + 1)) == JsonArrayKind::kNotArray);
  CHECK(Kind(std::string(1000000, '[')) == JsonArrayKind::kNotArray);
  std::string objects = "[";
  for (int i = 0; i < 20000; ++i) objects += "{\"k\":";
  CHECK(Kind(objects) == JsonArrayKind::kNotArray);
}

}  // namespace
}  // namespace builder::parser
