// Tests for image indexes and manifest lists: round trips, conversion, platform lookup, errors.
#include "oci/image_index.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::oci {
namespace {

Descriptor ManifestFor(const std::string& arch, const std::string& variant = "") {
  Descriptor d = Descriptor::For(kOciManifest, "manifest for " + arch + variant);
  Platform p;
  p.os = "linux";
  p.architecture = arch;
  p.variant = variant;
  d.platform = p;
  return d;
}

ImageIndex Sample() {
  ImageIndex index;
  index.manifests = {ManifestFor("amd64"), ManifestFor("arm64", "v8"), ManifestFor("arm", "v7")};
  Descriptor attestation = Descriptor::For(kOciManifest, "attestation");
  attestation.annotations = {{"vnd.docker.reference.type", "attestation-manifest"}};
  index.manifests.push_back(attestation);
  index.annotations = {{"com.example.key", "value"}};
  return index;
}

TEST_CASE("canonical serialization and round trip") {
  ImageIndex index = Sample();
  std::string json = index.Serialize();
  CHECK(json.starts_with(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)"));
  CHECK(json.find(R"("platform":{"architecture":"arm64","os":"linux","variant":"v8"})") !=
        std::string::npos);
  auto back = ImageIndex::Parse(json);
  REQUIRE(back);
  CHECK(*back == index);
  CHECK(back->Serialize() == json);
}

TEST_CASE("an empty index is valid (a fresh store's index.json)") {
  ImageIndex empty;
  CHECK(
      empty.Serialize() ==
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})");
  CHECK(ImageIndex::Parse(R"({"schemaVersion":2,"manifests":[]})").value() == empty);
}

TEST_CASE("conversion to a Docker manifest list and back") {
  ImageIndex index = Sample();
  Descriptor nested = Descriptor::For(kOciIndex, "nested");
  index.manifests.push_back(nested);
  auto docker_json = index.Serialize(ImageFormat::kDocker);
  REQUIRE(docker_json);
  auto docker = ImageIndex::Parse(*docker_json);
  REQUIRE(docker);
  CHECK(docker->format() == ImageFormat::kDocker);
  CHECK(docker->media_type == kDockerManifestList);
  CHECK(docker->manifests[0].media_type == kDockerManifest);
  CHECK(docker->manifests[4].media_type == kDockerManifestList);
  CHECK(docker->ConvertedTo(ImageFormat::kOci).value() == index);
  ImageIndex with_subject = Sample();
  with_subject.subject = Descriptor::For(kOciManifest, "s");
  CHECK(with_subject.Serialize(ImageFormat::kDocker).error().code() == ErrorCode::kUnsupported);
}

TEST_CASE("FindPlatform matches normalized platforms and skips entries without one") {
  ImageIndex index = Sample();
  auto arm64 = index.FindPlatform(Platform::Parse("linux/aarch64").value());
  REQUIRE(arm64.size() == 1);
  CHECK(arm64[0] == &index.manifests[1]);
  auto arm = index.FindPlatform(Platform::Parse("linux/arm").value());
  REQUIRE(arm.size() == 1);
  CHECK(arm[0] == &index.manifests[2]);
  CHECK(index.FindPlatform(Platform::Parse("linux/arm/v6").value()).empty());
  CHECK(index.FindPlatform(Platform::Parse("windows/amd64").value()).empty());
}

TEST_CASE("field errors") {
  struct Case {
    std::string json;
    std::string message;
  };
  const Case cases[] = {
      {R"({"manifests":[]})", "index.schemaVersion: required field missing"},
      {R"({"schemaVersion":3,"manifests":[]})",
       "index.schemaVersion: unsupported schema version 3 (want 2)"},
      {R"({"schemaVersion":2})", "index.manifests: required field missing"},
      {R"({"schemaVersion":2,"manifests":{}})", "index.manifests: expected an array, got object"},
      {R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","manifests":[]})",
       "index.mediaType: \"application/vnd.docker.distribution.manifest.v2+json\" is a manifest, "
       "not an index"},
      {R"({"schemaVersion":2,"manifests":[{"mediaType":"a/b","digest":"sha256:abc","size":1}]})",
       "index.manifests[0].digest: invalid digest \"sha256:abc\": sha256 needs 64 hex "
       "characters, got 3"},
      {R"({"schemaVersion":2,"manifests":[7]})",
       "index.manifests[0]: expected an object, got number"},
      {R"({"schemaVersion":2,"manifests":[{"mediaType":"a/b","digest":")" + Digest::Of("").str() +
           R"(","size":1,"platform":{"architecture":"amd64","os":3}}]})",
       "index.manifests[0].platform.os: expected a string, got number"},
      {R"({"schemaVersion":2,"manifests":[],"annotations":{"k":null}})",
       "index.annotations[\"k\"]: expected a string, got null"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    auto index = ImageIndex::Parse(c.json);
    REQUIRE_FALSE(index);
    CHECK(index.error().code() == ErrorCode::kCorrupt);
    CHECK(index.error().message() == c.message);
  }
  CHECK(ImageIndex::Parse("not json").error().code() == ErrorCode::kParse);
}

}  // namespace
}  // namespace builder::oci
