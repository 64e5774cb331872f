// Tests for digest parsing, computation, verification and short ids.
#include "oci/digest.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::oci {
namespace {

constexpr std::string_view kEmptySha =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST_CASE("Of computes sha256 and the accessors split it") {
  Digest d = Digest::Of("");
  CHECK(d.str() == kEmptySha);
  CHECK(d.algorithm() == "sha256");
  CHECK(d.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(d.ShortId() == "e3b0c44298fc");
  CHECK(d.is_sha256());
  CHECK_FALSE(d.empty());
  CHECK(Digest::Of("abc").hex() ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("default digest is empty") {
  Digest d;
  CHECK(d.empty());
  CHECK(d.hex().empty());
  CHECK(d.ShortId().empty());
  CHECK_FALSE(d.is_sha256());
}

TEST_CASE("Parse accepts valid digests") {
  auto d = Digest::Parse(kEmptySha);
  REQUIRE(d);
  CHECK(*d == Digest::Of(""));
  std::string sha512 = "sha512:" + std::string(128, 'a');
  auto d512 = Digest::Parse(sha512);
  REQUIRE(d512);
  CHECK(d512->algorithm() == "sha512");
  CHECK_FALSE(d512->is_sha256());
  CHECK(Digest::Parse("sha384:" + std::string(96, '0')));
  // Unregistered algorithms that follow the grammar are tolerated.
  auto multi = Digest::Parse("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564");
  REQUIRE(multi);
  CHECK(multi->algorithm() == "sha256+b64u");
  CHECK(Digest::Parse("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"));
}

TEST_CASE("Parse rejects malformed digests") {
  const char* bad[] = {
      "",
      "sha256",
      ":abc",
      "sha256:",
      "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
      "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "sha512:abcd",
      "+sha256:abcd",
      "sha256+:abcd",
      "sha..256:abcd",
      "foo:bar/baz",
      "foo:a.b",
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ",
  };
  for (const char* s : bad) {
    CAPTURE(s);
    auto d = Digest::Parse(s);
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == ErrorCode::kInvalidArgument);
  }
  auto short_hex = Digest::Parse("sha256:abc");
  CHECK(short_hex.error().message() ==
        "invalid digest \"sha256:abc\": sha256 needs 64 hex characters, got 3");
}

TEST_CASE("FromSha256Hex") {
  CHECK(Digest::FromSha256Hex(Digest::Of("x").hex()).value() == Digest::Of("x"));
  CHECK_FALSE(Digest::FromSha256Hex("xyz"));
}

TEST_CASE("Verify") {
  Digest d = Digest::Of("hello");
  CHECK(d.Verify("hello"));
  auto wrong = d.Verify("hellO");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code() == ErrorCode::kCorrupt);
  auto other = Digest::Parse("sha512:" + std::string(128, 'a')).value().Verify("x");
  REQUIRE_FALSE(other);
  CHECK(other.error().code() == ErrorCode::kUnsupported);
}

TEST_CASE("digests order by their text") {
  Digest a = Digest::FromSha256Hex(std::string(64, '0')).value();
  Digest b = Digest::FromSha256Hex(std::string(64, '1')).value();
  CHECK(a < b);
  CHECK(a != b);
}

}  // namespace
}  // namespace builder::oci
