// Tests for the docker-archive metadata files: manifest.json and repositories.
#include "oci/docker_archive.h"

#include <doctest/doctest.h>

namespace builder::oci {
namespace {

TEST_CASE("docker archive: manifest.json round trip, RepoTags null when untagged") {
  std::vector<DockerArchiveImage> images = {
      {"blobs/sha256/aa", {"app:1.0", "app:latest"}, {"blobs/sha256/bb", "blobs/sha256/cc"}},
      {"blobs/sha256/dd", {}, {}}};
  std::string text = SerializeDockerArchiveManifest(images);
  CHECK(text ==
        R"([{"Config":"blobs/sha256/aa","RepoTags":["app:1.0","app:latest"],"Layers":)"
        R"(["blobs/sha256/bb","blobs/sha256/cc"]},{"Config":"blobs/sha256/dd","RepoTags":null,)"
        R"("Layers":[]}])");
  auto parsed = ParseDockerArchiveManifest(text);
  REQUIRE(parsed);
  CHECK(*parsed == images);
}

TEST_CASE("docker archive: old-style manifest.json with extra keys parses") {
  auto parsed = ParseDockerArchiveManifest(
      R"([{"Config":"abc.json","RepoTags":["busybox:latest"],"Layers":["1/layer.tar"],)"
      R"("Parent":"sha256:00","LayerSources":{}}])");
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 1);
  CHECK((*parsed)[0].config == "abc.json");
  CHECK((*parsed)[0].layers == std::vector<std::string>{"1/layer.tar"});
}

TEST_CASE("docker archive: malformed manifest.json is rejected naming the field") {
  auto not_array = ParseDockerArchiveManifest(R"({"Config":"x"})");
  REQUIRE_FALSE(not_array);
  CHECK(not_array.error().code() == ErrorCode::kCorrupt);
  auto no_config = ParseDockerArchiveManifest(R"([{"Layers":[]}])");
  REQUIRE_FALSE(no_config);
  CHECK(no_config.error().ToString().find("manifest.json[0].Config") != std::string::npos);
  auto bad_layers = ParseDockerArchiveManifest(R"([{"Config":"c","Layers":"x"}])");
  REQUIRE_FALSE(bad_layers);
  CHECK(bad_layers.error().code() == ErrorCode::kCorrupt);
  CHECK(ParseDockerArchiveManifest("[").error().code() == ErrorCode::kParse);
  CHECK(ParseDockerArchiveManifest(std::string(100000, '[')).error().code() == ErrorCode::kParse);
}

TEST_CASE("docker archive: repositories file") {
  CHECK(SerializeDockerRepositories({{"app", {{"1.0", "ab"}, {"latest", "ab"}}}}) ==
        R"({"app":{"1.0":"ab","latest":"ab"}})");
  CHECK(SerializeDockerRepositories({}) == "{}");
}

}  // namespace
}  // namespace builder::oci
