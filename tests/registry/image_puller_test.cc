// Tests for PullImage with the fake registry: tagging, platform choice, verification, reuse.
#include "registry/image_puller.h"

#include <doctest/doctest.h>

#include "fake_registry.h"
#include "oci/image_index.h"
#include "oci/store_fixture.h"
#include "oci/temp_tree.h"

namespace builder::registry {
namespace {

using testing::FakeRegistry;
using oci::testing::TempDir;

oci::Reference Ref(const std::string& text) {
  auto r = oci::Reference::ParseDockerRef(text);
  REQUIRE(r);
  return *r;
}

struct Fixture {
  TempDir dir;
  oci::ImageStore store = *oci::ImageStore::Open(dir.path());
  FakeRegistry reg;
  PullOptions options;
  Fixture() {
    options.platform = *oci::Platform::Parse("linux/amd64");
    options.credentials = [] { return Result<std::optional<RegistryCredentials>>(std::nullopt); };
  }
};

TEST_CASE("a pulled image is stored whole and tagged with its full reference") {
  Fixture f;
  oci::Descriptor m = f.reg.AddImage("lib/bb", "1", "layer-bytes");
  std::vector<BlobPull> seen;
  f.options.on_blob = [&](const oci::Descriptor&, BlobPull p) { seen.push_back(p); };
  auto pulled = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/bb:1"), f.options);
  REQUIRE(pulled);
  CHECK(pulled->digest == m.digest);
  CHECK(pulled->manifest.digest == m.digest);
  CHECK(pulled->blobs_fetched == 2);
  CHECK(pulled->updated);
  CHECK(seen == std::vector<BlobPull>{BlobPull::kFetched, BlobPull::kFetched});
  auto image = f.store.Resolve("127.0.0.1:5000/lib/bb:1");
  REQUIRE(image);
  CHECK(image->digest() == m.digest);
  CHECK(image->tags.at(0).String() == "127.0.0.1:5000/lib/bb:1");
  REQUIRE(f.store.blobs().Verify(image->manifest.layers.at(0).digest));

  // again: nothing but the manifest is fetched, and the tag was already there
  f.reg.requests.clear();
  auto again = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/bb:1"), f.options);
  REQUIRE(again);
  CHECK_FALSE(again->updated);
  CHECK(again->blobs_present == 2);
  CHECK(f.reg.Count("/blobs/") == 0);
  CHECK(f.reg.requests.size() == 1);
}

TEST_CASE("blobs already in the store are not fetched") {
  Fixture f;
  f.reg.AddImage("lib/bb", "1", "shared-layer");
  REQUIRE(f.store.blobs().Put(oci::kOciLayerTar, FakeRegistry::LayerTar("shared-layer")));
  auto pulled = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/bb:1"), f.options);
  REQUIRE(pulled);
  CHECK(pulled->blobs_present == 1);
  CHECK(pulled->blobs_fetched == 1);
  CHECK(f.reg.Count("/blobs/" + oci::Digest::Of(FakeRegistry::LayerTar("shared-layer")).str()) == 0);
}

TEST_CASE("an index is narrowed to the requested platform; the others are never fetched") {
  Fixture f;
  oci::Descriptor arm = f.reg.AddImage("lib/bb", "", "arm-layer", "arm64");
  oci::Descriptor amd = f.reg.AddImage("lib/bb", "", "amd-layer", "amd64");
  oci::ImageIndex index;
  arm.platform = *oci::Platform::Parse("linux/arm64");
  amd.platform = *oci::Platform::Parse("linux/amd64");
  index.manifests = {arm, amd};
  oci::Descriptor top = f.reg.AddManifest("lib/bb", "multi", oci::kOciIndex, index.Serialize());
  auto pulled = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/bb:multi"), f.options);
  REQUIRE(pulled);
  CHECK(pulled->digest == top.digest);
  CHECK(pulled->manifest.digest == amd.digest);
  CHECK(f.reg.Count(arm.digest.str()) == 0);
  CHECK(f.reg.Count(oci::Digest::Of(FakeRegistry::LayerTar("arm-layer")).str()) == 0);
  auto image = f.store.Resolve("127.0.0.1:5000/lib/bb:multi");
  REQUIRE(image);
  CHECK(image->config.architecture == "amd64");

  f.options.platform = *oci::Platform::Parse("linux/s390x");
  auto none = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/bb:multi"), f.options);
  REQUIRE_FALSE(none);
  CHECK(none.error().code() == ErrorCode::kNotFound);
  CHECK(none.error().ToString().find("no manifest for platform linux/s390x (the image has: linux/arm64, linux/amd64)") !=
        std::string::npos);
}

TEST_CASE("a Docker manifest list and schema-2 manifest are stored as served") {
  Fixture f;
  oci::Descriptor amd = f.reg.AddImage("lib/bb", "", "amd-layer");
  oci::Manifest m = *oci::Manifest::Parse(f.reg.manifests["lib/bb/manifests/" + amd.digest.str()].second);
  std::string docker = *m.Serialize(oci::ImageFormat::kDocker);
  oci::Descriptor d = f.reg.AddManifest("lib/bb", "", oci::kDockerManifest, docker);
  d.platform = *oci::Platform::Parse("linux/amd64");
  oci::ImageIndex list;
  list.media_type = std::string(oci::kDockerManifestList);
  list.manifests = {d};
  f.reg.AddManifest("lib/bb", "d", oci::kDockerManifestList, *list.Serialize(oci::ImageFormat::kDocker));
  auto pulled = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/bb:d"), f.options);
  REQUIRE(pulled);
  CHECK(pulled->manifest.media_type == oci::kDockerManifest);
  auto image = f.store.Resolve("127.0.0.1:5000/lib/bb:d");
  REQUIRE(image);
  CHECK(image->digest() == d.digest);
  CHECK(image->manifest.format() == oci::ImageFormat::kDocker);
}

TEST_CASE("a layer the unpacker would refuse is refused before anything is tagged") {
  Fixture f;
  f.reg.AddImage("lib/bb", "1", "pwned", "amd64", "../escape");
  auto pulled = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/bb:1"), f.options);
  REQUIRE_FALSE(pulled);
  CHECK(pulled.error().code() == ErrorCode::kCorrupt);
  CHECK(pulled.error().ToString().find("entry \"../escape\"") != std::string::npos);
  CHECK(pulled.error().ToString().find("escapes the root") != std::string::npos);
  CHECK_FALSE(f.store.Resolve("127.0.0.1:5000/lib/bb:1"));
}

TEST_CASE("a blob whose bytes do not match its digest is rejected and nothing is stored") {
  Fixture f;
  f.reg.AddImage("lib/bb", "1", "good-layer");
  std::string key = "lib/bb/blobs/" + oci::Digest::Of(FakeRegistry::LayerTar("good-layer")).str();
  f.reg.blobs[key] = FakeRegistry::LayerTar("evil-layer");  // same size, other bytes
  auto pulled = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/bb:1"), f.options);
  REQUIRE_FALSE(pulled);
  CHECK(pulled.error().code() == ErrorCode::kCorrupt);
  CHECK(pulled.error().ToString().starts_with("pull 127.0.0.1:5000/lib/bb:1: blob sha256:"));
  CHECK_FALSE(f.store.blobs().Has(oci::Digest::Of(FakeRegistry::LayerTar("good-layer"))));
  CHECK_FALSE(f.store.blobs().Has(oci::Digest::Of(FakeRegistry::LayerTar("evil-layer"))));
  CHECK_FALSE(f.store.Resolve("127.0.0.1:5000/lib/bb:1"));
  CHECK(oci::testing::CountEntries(f.store.blobs().TmpDir()) == 0);

  f.reg.blobs[key] = FakeRegistry::LayerTar("good-layer") + "and-more";  // longer than announced
  auto longer = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/bb:1"), f.options);
  REQUIRE_FALSE(longer);
  CHECK(longer.error().code() == ErrorCode::kCorrupt);
  CHECK(longer.error().ToString().find("more than 2048 bytes") != std::string::npos);
}

TEST_CASE("an unknown repository or tag is kNotFound; nothing is stored") {
  Fixture f;
  auto pulled = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/nope"), f.options);
  REQUIRE_FALSE(pulled);
  CHECK(pulled.error().code() == ErrorCode::kNotFound);
  CHECK(pulled.error().ToString() ==
        "pull 127.0.0.1:5000/lib/nope:latest: manifest lib/nope:latest not found in the registry "
        "(MANIFEST_UNKNOWN: manifest unknown)");
  auto index = f.store.ReadIndex();
  REQUIRE(index);
  CHECK(index->manifests.empty());
}

TEST_CASE("pulls through a bearer challenge; by digest the image stays untagged") {
  Fixture f;
  f.reg.token = "t";
  oci::Descriptor m = f.reg.AddImage("lib/bb", "1", "layer");
  auto pulled = PullImage(f.store, f.reg, Ref("127.0.0.1:5000/lib/bb@" + m.digest.str()), f.options);
  REQUIRE(pulled);
  CHECK(f.reg.Count("auth.test") == 1);
  auto image = f.store.Resolve("127.0.0.1:5000/lib/bb@" + m.digest.str());
  REQUIRE(image);
  CHECK(image->tags.empty());
}

}  // namespace
}  // namespace builder::registry
