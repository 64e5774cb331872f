// Tests for CacheKey and CacheKeyBuilder: determinism and an injective encoding.
#include "cache/cache_key.h"

#include <doctest/doctest.h>

#include <set>

namespace builder::cache {
namespace {

TEST_CASE("cache key: same fields, same key - parse round trip") {
  auto make = [] {
    return CacheKeyBuilder().Add("cmd", "RUN make").AddInt("n", 3).Finish();
  };
  CacheKey a = make();
  CHECK(a == make());
  CHECK(a.hex().size() == 64);
  CHECK(a.str() == "sha256:" + a.hex());
  CHECK(!a.empty());
  auto parsed = CacheKey::Parse(a.str());
  REQUIRE(parsed);
  CHECK(*parsed == a);
  auto bare = CacheKey::Parse(a.hex());
  REQUIRE(bare);
  CHECK(*bare == a);
  CHECK(CacheKey().empty());
  CHECK(CacheKey().str().empty());
}

TEST_CASE("cache key: parse rejects malformed keys") {
  CHECK(!CacheKey::Parse(""));
  CHECK(!CacheKey::Parse("sha256:abc"));
  CHECK(!CacheKey::Parse(std::string(64, 'A')));  // upper case
  CHECK(!CacheKey::Parse(std::string(63, 'a') + "g"));
  CHECK(!CacheKey::Parse("sha512:" + std::string(64, 'a')));
  CHECK(CacheKey::Parse("zz").error().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("cache key: different splits of the same bytes never collide") {
  std::set<std::string> keys;
  keys.insert(CacheKeyBuilder().Add("ab", "c").Finish().hex());
  keys.insert(CacheKeyBuilder().Add("a", "bc").Finish().hex());
  keys.insert(CacheKeyBuilder().Add("", "abc").Finish().hex());
  keys.insert(CacheKeyBuilder().Add("abc", "").Finish().hex());
  keys.insert(CacheKeyBuilder().Add("a", "b").Add("c", "").Finish().hex());
  keys.insert(CacheKeyBuilder().Add("a", "").Add("bc", "").Finish().hex());
  keys.insert(CacheKeyBuilder().AddList("a", {"b", "c"}).Finish().hex());
  keys.insert(CacheKeyBuilder().AddList("a", {"bc"}).Finish().hex());
  keys.insert(CacheKeyBuilder().AddList("a", {"b", "c", ""}).Finish().hex());
  keys.insert(CacheKeyBuilder().AddMap("a", {{"b", "c"}}).Finish().hex());
  keys.insert(CacheKeyBuilder().AddMap("a", {{"bc", ""}}).Finish().hex());
  keys.insert(CacheKeyBuilder().AddMap("a", {{"", "bc"}}).Finish().hex());
  keys.insert(CacheKeyBuilder().AddKey("a", CacheKey()).Finish().hex());
  keys.insert(CacheKeyBuilder().Add("a", "").Finish().hex());  // same bytes as the empty key
  keys.insert(CacheKeyBuilder().AddInt("a", 0).Finish().hex());
  keys.insert(CacheKeyBuilder().Finish().hex());
  keys.insert(CacheKeyBuilder("other").Finish().hex());
  CHECK(keys.size() == 17);
}

TEST_CASE("cache key: field order matters, map insertion order does not") {
  CHECK(CacheKeyBuilder().Add("a", "1").Add("b", "2").Finish() !=
        CacheKeyBuilder().Add("b", "2").Add("a", "1").Finish());
  std::map<std::string, std::string> m1{{"x", "1"}, {"y", "2"}};
  std::map<std::string, std::string> m2;
  m2["y"] = "2";
  m2["x"] = "1";
  CHECK(CacheKeyBuilder().AddMap("env", m1).Finish() == CacheKeyBuilder().AddMap("env", m2).Finish());
  CHECK(CacheKeyBuilder().AddList("l", {"1", "2"}).Finish() !=
        CacheKeyBuilder().AddList("l", {"2", "1"}).Finish());
}

TEST_CASE("cache key: parents and values chain") {
  CacheKey p1 = CacheKeyBuilder().Add("from", "alpine@sha256:1").Finish();
  CacheKey p2 = CacheKeyBuilder().Add("from", "alpine@sha256:2").Finish();
  CHECK(CacheKeyBuilder().AddKey("parent", p1).Add("cmd", "x").Finish() !=
        CacheKeyBuilder().AddKey("parent", p2).Add("cmd", "x").Finish());
  // A key's hex as a plain string field is a different field type than a key.
  CHECK(CacheKeyBuilder().AddKey("parent", p1).Finish() !=
        CacheKeyBuilder().Add("parent", p1.hex()).Finish());
  // Bytes that are not UTF-8 and embedded NULs are fine.
  CHECK(CacheKeyBuilder().Add("v", std::string("a\0b", 3)).Finish() !=
        CacheKeyBuilder().Add("v", "a").Finish());
}

}  // namespace
}  // namespace builder::cache
