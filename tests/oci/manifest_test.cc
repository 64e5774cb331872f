// Tests for image manifests: round trips, OCI/Docker conversion and field errors.
#include "oci/manifest.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::oci {
namespace {

Manifest Sample() {
  Manifest m;
  m.config = Descriptor::For(kOciConfig, R"({"architecture":"amd64","os":"linux"})");
  m.layers.push_back(Descriptor::For(kOciLayerTarGzip, "layer one"));
  m.layers.push_back(Descriptor::For(kOciLayerTar, "layer two"));
  m.annotations = {{"org.opencontainers.image.created", "2024-01-02T03:04:05Z"}};
  return m;
}

TEST_CASE("canonical serialization and round trip") {
  Manifest m = Sample();
  std::string json = m.Serialize();
  CHECK(json.starts_with(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)"));
  CHECK(json.find(' ') == std::string::npos);
  CHECK(json.ends_with(
      R"(],"annotations":{"org.opencontainers.image.created":"2024-01-02T03:04:05Z"}})"));
  auto back = Manifest::Parse(json);
  REQUIRE(back);
  CHECK(*back == m);
  CHECK(back->Serialize() == json);
  CHECK(back->format() == ImageFormat::kOci);
}

TEST_CASE("artifact fields round trip") {
  Manifest m = Sample();
  m.artifact_type = "application/vnd.example+type";
  m.subject = Descriptor::For(kOciManifest, "{}");
  std::string json = m.Serialize();
  CHECK(
      json.find(
          R"("mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example+type","config")") !=
      std::string::npos);
  CHECK(json.find(R"(],"subject":{)") != std::string::npos);
  CHECK(Manifest::Parse(json).value() == m);
}

TEST_CASE("same content gives the same bytes whatever the input layout") {
  std::string digest = Digest::Of("x").str();
  std::string a =
      R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
      digest + R"(","size":1},"layers":[],"annotations":{"b":"2","a":"1"}})";
  std::string b =
      "{\n  \"annotations\": {\"a\": \"1\", \"b\": \"2\"},\n  \"layers\": [ ],\n"
      "  \"config\": {\"size\": 1, \"digest\": \"" +
      digest +
      "\", \"mediaType\": \"application/vnd.oci.image.config.v1+json\"},\n"
      "  \"schemaVersion\": 2, \"unknown\": [1, {\"x\": null}]\n}";
  auto ma = Manifest::Parse(a);
  auto mb = Manifest::Parse(b);
  REQUIRE(ma);
  REQUIRE(mb);
  CHECK(*ma == *mb);
  CHECK(ma->Serialize() == mb->Serialize());
  CHECK(Digest::Of(ma->Serialize()) == Digest::Of(mb->Serialize()));
  // A missing mediaType means OCI; serialization then states it.
  CHECK(ma->media_type == kOciManifest);
}

TEST_CASE("conversion to Docker schema 2 and back") {
  Manifest m = Sample();
  m.layers.push_back(Descriptor::For(kOciLayerTarZstd, "zstd layer"));
  m.layers.push_back(Descriptor::For(kOciNondistributableLayerTarGzip, "foreign"));
  auto docker_json = m.Serialize(ImageFormat::kDocker);
  REQUIRE(docker_json);
  auto docker = Manifest::Parse(*docker_json);
  REQUIRE(docker);
  CHECK(docker->format() == ImageFormat::kDocker);
  CHECK(docker->media_type == kDockerManifest);
  CHECK(docker->config.media_type == kDockerConfig);
  CHECK(docker->layers[0].media_type == kDockerLayerTarGzip);
  CHECK(docker->layers[1].media_type == kDockerLayerTar);
  CHECK(docker->layers[2].media_type == kOciLayerTarZstd);  // Docker has no zstd type
  CHECK(docker->layers[3].media_type == kDockerForeignLayerTarGzip);
  CHECK(docker->layers[0].digest == m.layers[0].digest);
  auto oci = docker->ConvertedTo(ImageFormat::kOci);
  REQUIRE(oci);
  CHECK(*oci == m);
  CHECK(m.Serialize(ImageFormat::kOci).value() == m.Serialize());
}

TEST_CASE("Docker cannot express artifacts") {
  Manifest m = Sample();
  m.subject = Descriptor::For(kOciManifest, "{}");
  auto r = m.Serialize(ImageFormat::kDocker);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kUnsupported);
  Manifest artifact = Sample();
  artifact.config.media_type = "application/vnd.example.config.v1+json";
  CHECK(artifact.ConvertedTo(ImageFormat::kDocker).error().code() == ErrorCode::kUnsupported);
}

TEST_CASE("field errors") {
  std::string cfg = R"({"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                    Digest::Of("c").str() + R"(","size":1})";
  std::string layer = R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
                      Digest::Of("l").str() + R"(","size":2})";
  struct Case {
    std::string json;
    std::string message;
  };
  const Case cases[] = {
      {R"({"config":)" + cfg + R"(,"layers":[]})",
       "manifest.schemaVersion: required field missing"},
      {R"({"schemaVersion":1,"config":)" + cfg + R"(,"layers":[]})",
       "manifest.schemaVersion: unsupported schema version 1 (want 2)"},
      {R"({"schemaVersion":"2","config":)" + cfg + R"(,"layers":[]})",
       "manifest.schemaVersion: expected an integer, got string"},
      {R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","config":)" +
           cfg + R"(,"layers":[]})",
       "manifest.mediaType: \"application/vnd.oci.image.index.v1+json\" is an index, not a "
       "manifest"},
      {R"({"schemaVersion":2,"mediaType":"application/json","config":)" + cfg + R"(,"layers":[]})",
       "manifest.mediaType: \"application/json\" is not a manifest media type"},
      {R"({"schemaVersion":2,"layers":[]})", "manifest.config: required field missing"},
      {R"({"schemaVersion":2,"config":)" + cfg + "}", "manifest.layers: required field missing"},
      {R"({"schemaVersion":2,"config":)" + cfg + R"(,"layers":{}})",
       "manifest.layers: expected an array, got object"},
      {R"({"schemaVersion":2,"config":)" + cfg + R"(,"layers":[)" + layer +
           R"(,{"mediaType":"a/b","digest":"sha256:x","size":"3"}]})",
       "manifest.layers[1].digest: invalid digest \"sha256:x\": sha256 needs 64 hex characters, "
       "got 1"},
      {R"({"schemaVersion":2,"config":{"mediaType":"a/b","size":1},"layers":[]})",
       "manifest.config.digest: required field missing"},
      {R"({"schemaVersion":2,"config":)" + cfg + R"(,"layers":[],"subject":{"mediaType":"a/b"}})",
       "manifest.subject.digest: required field missing"},
      {R"({"schemaVersion":2,"config":)" + cfg + R"(,"layers":[],"annotations":["a"]})",
       "manifest.annotations: expected an object of strings, got array"},
      {R"({"schemaVersion":2,"artifactType":"nope","config":)" + cfg + R"(,"layers":[]})",
       "manifest.artifactType: invalid media type \"nope\""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    auto m = Manifest::Parse(c.json);
    REQUIRE_FALSE(m);
    CHECK(m.error().code() == ErrorCode::kCorrupt);
    CHECK(m.error().message() == c.message);
  }
  auto syntax = Manifest::Parse(R"({"schemaVersion":2,)");
  REQUIRE_FALSE(syntax);
  CHECK(syntax.error().code() == ErrorCode::kParse);
  CHECK(syntax.error().message() == "manifest: malformed JSON");
}

TEST_CASE("mutated documents fail cleanly or parse, never crash") {
  const std::string valid = Sample().Serialize();
  std::uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  const char pool[] = "{}[]\":,0123456789-.eE+tfn \\ux";
  int parsed = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string doc = valid;
    int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = next() % doc.size();
      switch (next() % 3) {
        case 0:
          doc[at] = pool[next() % (sizeof(pool) - 1)];
          break;
        case 1:
          doc.erase(at, 1 + next() % 8);
          break;
        default:
          doc.insert(at, 1, pool[next() % (sizeof(pool) - 1)]);
          break;
      }
      if (doc.empty()) doc = "{";
    }
    auto m = Manifest::Parse(doc);
    if (m) {
      ++parsed;
      CHECK(Manifest::Parse(m->Serialize()).value() == *m);
    } else {
      CHECK((m.error().code() == ErrorCode::kParse || m.error().code() == ErrorCode::kCorrupt));
    }
  }
  CHECK(parsed > 0);
}

}  // namespace
}  // namespace builder::oci
