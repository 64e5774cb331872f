// Tests for the oci module's JSON helpers: the nesting cap, typed readers and Go-style output.
#include "oci/json_codec.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::oci::json {
namespace {

std::string Nested(int depth) {
  return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

TEST_CASE("ParseObject caps nesting at 64 levels") {
  CHECK(ParseObject(Nested(64), "doc"));
  auto deep = ParseObject(Nested(65), "doc");
  REQUIRE_FALSE(deep);
  CHECK(deep.error().code() == ErrorCode::kParse);
  CHECK(deep.error().message() == "doc: JSON nested deeper than 64 levels");
  // Escaped quotes do not end a string early.
  CHECK(ParseObject(
      R"({"a":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})", "doc"));
}

TEST_CASE("ParseObject errors") {
  CHECK(ParseObject("", "doc").error().message() == "doc: malformed JSON");
  CHECK(ParseObject("{} {}", "doc").error().code() == ErrorCode::kParse);
  CHECK(ParseObject("\"s\"", "doc").error().message() == "doc: expected a JSON object, got string");
  CHECK(ParseObject("{\"a\":\"\xff\"}", "doc").error().code() == ErrorCode::kParse);
}

TEST_CASE("readers treat null as absent and name the field on type errors") {
  Value v = ParseObject(R"({"s":"x","n":null,"i":-5,"big":9223372036854775807,"f":1.0,"b":true,)"
                        R"("arr":["a"],"map":{"k":"v"},"set":{"x":{},"y":null}})",
                        "doc")
                .value();
  CHECK(String(v, "p", "s").value() == "x");
  CHECK(String(v, "p", "n").value().empty());
  CHECK(String(v, "p", "missing").value().empty());
  CHECK(RequiredString(v, "p", "n").error().message() == "p.n: required field missing");
  CHECK(String(v, "p", "i").error().message() == "p.i: expected a string, got number");
  CHECK(Int64(v, "p", "i", true).value() == -5);
  CHECK(Int64(v, "p", "big", true).value() == 9223372036854775807);
  CHECK(Int64(v, "p", "f", true).error().message() == "p.f: expected an integer, got number");
  CHECK(Int64(v, "p", "n", false).value() == 0);
  CHECK(Bool(v, "p", "b").value());
  CHECK_FALSE(Bool(v, "p", "n").value());
  CHECK(StringArray(v, "p", "arr").value() == std::vector<std::string>{"a"});
  CHECK(StringArray(v, "p", "map").error().message() ==
        "p.map: expected an array of strings, got object");
  CHECK(StringMap(v, "p", "map").value().at("k") == "v");
  CHECK(KeySet(v, "p", "set").value() == std::set<std::string>{"x", "y"});
  CHECK(Join("", "k") == "k");
  CHECK(Join("a.b", "k") == "a.b.k");
}

TEST_CASE("Dump is compact, ordered and escapes like Go") {
  Ordered doc = Ordered::object();
  doc["z"] = 1;
  doc["a"] = "<&>";
  doc["m"] = FromStringMap({{"b", "2"}, {"a", "1"}});
  doc["s"] = FromKeySet({"y", "x"});
  doc["l"] = FromStrings({"\xe2\x80\xa9"});
  CHECK(
      Dump(doc) ==
      R"({"z":1,"a":"\u003c\u0026\u003e","m":{"a":"1","b":"2"},"s":{"x":{},"y":{}},"l":["\u2029"]})");
}

}  // namespace
}  // namespace builder::oci::json
