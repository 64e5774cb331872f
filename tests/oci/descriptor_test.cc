// Tests for descriptor parsing, validation and canonical serialization.
#include "oci/descriptor.h"

#include <doctest/doctest.h>

#include <string>

#include "oci/media_types.h"

namespace builder::oci {
namespace {

constexpr const char* kDigest =
    "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";

std::string WithField(const std::string& fields) {
  return std::string(R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","size":7682,)") +
         fields + "}";
}

TEST_CASE("For computes digest and size") {
  Descriptor d = Descriptor::For(kOciConfig, "{}");
  CHECK(d.media_type == kOciConfig);
  CHECK(d.digest == Digest::Of("{}"));
  CHECK(d.size == 2);
  CHECK(
      d.Serialize() ==
      R"({"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2})");
}

TEST_CASE("full descriptor round trip in canonical order") {
  Descriptor d;
  d.media_type = std::string(kOciManifest);
  d.digest = Digest::Parse(kDigest).value();
  d.size = 7682;
  d.urls = {"https://example.com/example-manifest"};
  d.annotations = {{"z", "last"}, {"a", "first"}};
  d.data = "e30=";
  Platform p;
  p.os = "linux";
  p.architecture = "arm64";
  p.variant = "v8";
  d.platform = p;
  d.artifact_type = "application/vnd.example.sbom.v1";
  std::string json = d.Serialize();
  CHECK(
      json ==
      std::string(R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")") +
          kDigest +
          R"(","size":7682,"urls":["https://example.com/example-manifest"],"annotations":{"a":"first","z":"last"},"data":"e30=","platform":{"architecture":"arm64","os":"linux","variant":"v8"},"artifactType":"application/vnd.example.sbom.v1"})");
  auto back = Descriptor::Parse(json);
  REQUIRE(back);
  CHECK(*back == d);
  CHECK(back->Serialize() == json);
}

TEST_CASE("parse tolerates unknown fields and null optionals") {
  auto d = Descriptor::Parse(WithField(std::string(R"("digest":")") + kDigest +
                                       R"(","future":{"x":[1,2]},"annotations":null,"urls":null)"));
  REQUIRE(d);
  CHECK(d->annotations.empty());
  CHECK(d->urls.empty());
}

TEST_CASE("invalid descriptors name the field") {
  struct Case {
    std::string json;
    std::string message;
  };
  const std::string digest_field = std::string(R"("digest":")") + kDigest + "\"";
  const Case cases[] = {
      {std::string(R"({"size":1,)") + digest_field + "}",
       "descriptor.mediaType: required field missing"},
      {std::string(R"({"mediaType":"application","size":1,)") + digest_field + "}",
       "descriptor.mediaType: invalid media type \"application\""},
      {std::string(R"({"mediaType":"application/","size":1,)") + digest_field + "}",
       "descriptor.mediaType: invalid media type \"application/\""},
      {std::string(R"({"mediaType":")") + std::string(128, 'a') + R"(/json","size":1,)" +
           digest_field + "}",
       "descriptor.mediaType: invalid media type \"" + std::string(128, 'a') + "/json\""},
      {std::string(R"({"mediaType":"-app/json","size":1,)") + digest_field + "}",
       "descriptor.mediaType: invalid media type \"-app/json\""},
      {std::string(R"({"mediaType":7,"size":1,)") + digest_field + "}",
       "descriptor.mediaType: expected a string, got number"},
      {WithField(R"("digest":"sha256")"),
       "descriptor.digest: invalid digest \"sha256\": missing ':' after the algorithm"},
      {WithField(R"("x":1)"), "descriptor.digest: required field missing"},
      {WithField(
           R"("digest":"sha256:5B0BCABD1ED22E9FB1310CF6C2DEC7CDEF19F0AD69EFA1F392E94A4333501270")"),
       "descriptor.digest: invalid digest "
       "\"sha256:5B0BCABD1ED22E9FB1310CF6C2DEC7CDEF19F0AD69EFA1F392E94A4333501270\": encoded part "
       "must be lower-case hex"},
      {WithField(R"("digest":":5b0b")"),
       "descriptor.digest: invalid digest \":5b0b\": malformed algorithm"},
      {std::string(R"({"mediaType":"a/b","size":"1",)") + digest_field + "}",
       "descriptor.size: expected an integer, got string"},
      {std::string(R"({"mediaType":"a/b","size":1.5,)") + digest_field + "}",
       "descriptor.size: expected an integer, got number"},
      {std::string(R"({"mediaType":"a/b","size":-1,)") + digest_field + "}",
       "descriptor.size: must not be negative"},
      {std::string(R"({"mediaType":"a/b","size":18446744073709551615,)") + digest_field + "}",
       "descriptor.size: integer out of range"},
      {std::string(R"({"mediaType":"a/b",)") + digest_field + "}",
       "descriptor.size: required field missing"},
      {WithField(digest_field + R"(,"urls":"https://x")"),
       "descriptor.urls: expected an array of strings, got string"},
      {WithField(digest_field + R"(,"urls":["not a uri"])"),
       "descriptor.urls[0]: not an absolute URI: \"not a uri\""},
      {WithField(digest_field + R"(,"annotations":{"a":1})"),
       "descriptor.annotations[\"a\"]: expected a string, got number"},
      {WithField(digest_field + R"(,"artifactType":"bad")"),
       "descriptor.artifactType: invalid media type \"bad\""},
      {WithField(digest_field + R"(,"data":"not base64!")"), "descriptor.data: not base64"},
      {WithField(digest_field + R"(,"platform":{"os":"linux"})"),
       "descriptor.platform.architecture: required field missing"},
      {WithField(digest_field + R"(,"platform":"linux/amd64")"),
       "descriptor.platform: expected an object, got string"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    auto d = Descriptor::Parse(c.json);
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == ErrorCode::kCorrupt);
    CHECK(d.error().message() == c.message);
  }
}

TEST_CASE("malformed JSON is a parse error") {
  for (const char* s : {"", "{", "{\"a\":}", "[1,2", "nul"}) {
    CAPTURE(s);
    auto d = Descriptor::Parse(s);
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == ErrorCode::kParse);
  }
  auto array = Descriptor::Parse("[]");
  REQUIRE_FALSE(array);
  CHECK(array.error().code() == ErrorCode::kCorrupt);
  CHECK(array.error().message() == "descriptor: expected a JSON object, got array");
}

TEST_CASE("deep nesting is refused without recursion") {
  std::string deep = std::string(R"({"mediaType":"a/b","size":1,"digest":")") + kDigest +
                     R"(","x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto d = Descriptor::Parse(deep);
  REQUIRE_FALSE(d);
  CHECK(d.error().code() == ErrorCode::kParse);
  // Brackets inside strings do not count.
  std::string in_string = std::string(R"({"mediaType":"a/b","size":1,"digest":")") + kDigest +
                          R"(","annotations":{"k":")" + std::string(1000, '[') + R"("}})";
  CHECK(Descriptor::Parse(in_string));
}

TEST_CASE("media type validation") {
  CHECK(IsValidMediaType("application/vnd.oci.image.manifest.v1+json"));
  CHECK(IsValidMediaType("a/b"));
  CHECK(IsValidMediaType("application/vnd.example+type"));
  CHECK_FALSE(IsValidMediaType("a"));
  CHECK_FALSE(IsValidMediaType("/b"));
  CHECK_FALSE(IsValidMediaType("a/b/c"));
  CHECK_FALSE(IsValidMediaType("a /b"));
  CHECK_FALSE(IsValidMediaType(""));
}

TEST_CASE("serialization escapes like Go") {
  Descriptor d = Descriptor::For("a/b", "");
  d.annotations = {{"k", "<a&b>\xe2\x80\xa8"}};
  std::string json = d.Serialize();
  CHECK(json.find(R"("k":"\u003ca\u0026b\u003e\u2028")") != std::string::npos);
  CHECK(Descriptor::Parse(json).value() == d);
  // Go's json.Marshal of the same string.
  d.annotations = {{"k", "a\bb\fc\\b\"\n\t\x01\x7f"}};
  CHECK(d.Serialize().find(R"("k":"a\u0008b\u000cc\\b\"\n\t\u0001)"
                           "\x7f"
                           R"(")") != std::string::npos);
  CHECK(Descriptor::Parse(d.Serialize()).value() == d);
  d.annotations = {{"bad", "\xff"}};
  CHECK(d.Serialize().find("\"bad\":\"\xef\xbf\xbd\"") != std::string::npos);
}

}  // namespace
}  // namespace builder::oci
