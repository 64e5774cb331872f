// Tests for SaveImages: the combined docker-archive / OCI-archive layout, determinism, damage.
#include "oci/archive_writer.h"

#include <doctest/doctest.h>

#include <fstream>

#include "archive_fixture.h"
#include "oci/docker_archive.h"
#include "oci/image_index.h"
#include "store_fixture.h"
#include "temp_tree.h"

namespace builder::oci {
namespace {

using testing::MakeImage;
using testing::ReadTar;
using testing::Ref;
using testing::TempDir;

std::string Save(const ImageStore& store, const std::vector<SaveRequest>& requests) {
  StringSink sink;
  REQUIRE(SaveImages(store, requests, sink));
  return sink.data();
}

TEST_CASE("save: one tar with blobs, index.json, manifest.json, oci-layout, repositories") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  Descriptor m = MakeImage(*store, {"layer-one", "layer-two"});
  REQUIRE(store->Tag(m, Ref("app:1.0")));
  auto image = store->Resolve("app:1.0");
  REQUIRE(image);
  std::string tar = Save(*store, {{*image, {Ref("app:1.0"), Ref("localhost:5000/x/app:2")}}});
  auto entries = ReadTar(tar);
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.first);
  REQUIRE(names.size() == 2 + 4 + 4);  // 2 dirs, config + manifest + 2 layers, 4 metadata
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(names[0] == "blobs/");
  CHECK(names[1] == "blobs/sha256/");
  CHECK(names[6] == "index.json");
  CHECK(names[7] == "manifest.json");
  CHECK(entries[8].second == R"({"imageLayoutVersion":"1.0.0"})");

  auto docker = ParseDockerArchiveManifest(entries[7].second);
  REQUIRE(docker);
  REQUIRE(docker->size() == 1);
  CHECK((*docker)[0].config == "blobs/sha256/" + std::string(image->id().hex()));
  CHECK((*docker)[0].repo_tags == std::vector<std::string>{"app:1.0", "localhost:5000/x/app:2"});
  REQUIRE((*docker)[0].layers.size() == 2);
  CHECK((*docker)[0].layers[0] ==
        "blobs/sha256/" + std::string(image->manifest.layers[0].digest.hex()));

  auto index = ImageIndex::Parse(entries[6].second);
  REQUIRE(index);
  REQUIRE(index->manifests.size() == 2);
  CHECK(index->manifests[0].digest == m.digest);
  CHECK(index->manifests[0].annotations.at("io.containerd.image.name") ==
        "docker.io/library/app:1.0");
  CHECK(index->manifests[0].annotations.at("org.opencontainers.image.ref.name") == "1.0");
  CHECK(index->manifests[1].annotations.at("io.containerd.image.name") ==
        "localhost:5000/x/app:2");
  CHECK(entries[9].second.find(R"("localhost:5000/x/app":{"2":)") != std::string::npos);

  // Same request, same bytes.
  CHECK(Save(*store, {{*image, {Ref("app:1.0"), Ref("localhost:5000/x/app:2")}}}) == tar);
}

TEST_CASE("save: an untagged image gets one bare index entry and RepoTags null") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  Descriptor m = MakeImage(*store, {"x"});
  REQUIRE(store->Tag(m, Ref("app")));
  auto image = store->Resolve("app");
  REQUIRE(image);
  auto entries = ReadTar(Save(*store, {{*image, {}}}));
  std::map<std::string, std::string> files(entries.begin(), entries.end());
  auto index = ImageIndex::Parse(files["index.json"]);
  REQUIRE(index);
  REQUIRE(index->manifests.size() == 1);
  CHECK(index->manifests[0].annotations.empty());
  CHECK(files["manifest.json"].find(R"("RepoTags":null)") != std::string::npos);
  CHECK(files["repositories"] == "{}");
}

TEST_CASE("save: a damaged blob in the store fails the save naming it") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  Descriptor m = MakeImage(*store, {"good layer"});
  REQUIRE(store->Tag(m, Ref("app")));
  auto image = store->Resolve("app");
  REQUIRE(image);
  const Digest& layer = image->manifest.layers[0].digest;
  {
    std::ofstream out(store->blobs().PathOf(layer), std::ios::trunc);
    out << "evil layer";  // same size, other content
  }
  StringSink sink;
  auto r = SaveImages(*store, {{*image, {}}}, sink);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kCorrupt);
  CHECK(r.error().ToString().find(layer.str()) != std::string::npos);
}

}  // namespace
}  // namespace builder::oci
