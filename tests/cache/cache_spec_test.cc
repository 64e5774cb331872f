// Tests for --cache-to / --cache-from value parsing.
#include "cache/cache_spec.h"

#include <doctest/doctest.h>

namespace builder::cache {
namespace {

TEST_CASE("cache spec: BuildKit's forms") {
  auto local = ParseCacheTo("type=local,dest=/tmp/c,mode=max");
  REQUIRE(local);
  CHECK(local->type == CacheSpec::Type::kLocal);
  CHECK(local->dir == "/tmp/c");
  CHECK(local->max);
  auto reg = ParseCacheTo("type=registry,ref=127.0.0.1:5000/app:cache,image-manifest=true,oci-mediatypes=true");
  REQUIRE(reg);
  CHECK(reg->type == CacheSpec::Type::kRegistry);
  CHECK(reg->ref == "127.0.0.1:5000/app:cache");
  CHECK(!reg->max);
  CHECK(ParseCacheTo("type=inline")->type == CacheSpec::Type::kInline);
  CHECK(ParseCacheTo("type=local,dest=d,ignore-error=true")->ignore_error);
  auto plain = ParseCacheFrom("127.0.0.1:5000/app:1");
  REQUIRE(plain);
  CHECK(plain->type == CacheSpec::Type::kRegistry);
  CHECK(plain->plain_ref);
  auto src = ParseCacheFrom("type=local,src=/c");
  REQUIRE(src);
  CHECK(src->dir == "/c");
  CHECK(!src->plain_ref);
}

TEST_CASE("cache spec: mistakes are clear errors") {
  auto no_dest = ParseCacheTo("type=local");
  REQUIRE(!no_dest);
  CHECK(no_dest.error().ToString().find("type=local needs dest=") != std::string::npos);
  CHECK(ParseCacheFrom("type=local,dest=/c").error().ToString().find("needs src=") != std::string::npos);
  CHECK(ParseCacheTo("type=local,dest=d,mode=all").error().ToString().find("mode must be min or max") !=
        std::string::npos);
  CHECK(ParseCacheTo("type=s3,bucket=b").error().ToString().find("unknown type \"s3\"") != std::string::npos);
  CHECK(ParseCacheTo("type=registry").error().ToString().find("needs ref=") != std::string::npos);
  CHECK(ParseCacheFrom("type=inline").error().ToString().find("export-only") != std::string::npos);
  CHECK(ParseCacheTo("type=local,dest=a,dest=b").error().ToString().find("given twice") != std::string::npos);
  CHECK(ParseCacheTo("type=local,dest=a,colour=red").error().ToString().find("unknown attribute \"colour\"") !=
        std::string::npos);
  CHECK(ParseCacheTo("type=local,,dest=a").error().code() == ErrorCode::kInvalidArgument);
  CHECK(!ParseCacheTo(""));
}

}  // namespace
}  // namespace builder::cache
