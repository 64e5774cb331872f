// Tests for the registry cache writer and reader over the fake registry: uploads skip what the
// registry has, the manifest is tagged last, and fetched blobs are verified before they are stored.
#include "executor/registry_cache.h"

#include <doctest/doctest.h>

#include <string>

#include "cache/cache_config.h"
#include "oci/media_types.h"
#include "oci/temp_tree.h"
#include "registry/fake_registry.h"

namespace builder::executor {
namespace {

using oci::testing::TempDir;
using registry::testing::FakeRegistry;

oci::Reference Ref(const std::string& text) {
  auto r = oci::Reference::ParseDockerRef(text);
  REQUIRE(r);
  return *r;
}

TEST_CASE("the registry cache writer uploads missing blobs once and tags the manifest last") {
  TempDir dir;
  oci::ImageStore store = *oci::ImageStore::Open(dir.path());
  FakeRegistry reg;
  auto layer = store.blobs().Put(oci::kOciLayerTar, "layer-bytes");
  REQUIRE(layer);
  std::string config = "{\"entries\":[]}";
  oci::Descriptor config_desc = oci::Descriptor::For(cache::kCacheConfigMediaType, config);
  std::string manifest = cache::CacheManifest(config_desc, {*layer}).Serialize();

  RegistryCacheWriter writer(reg, Ref("127.0.0.1:5000/cache/app:max"));
  REQUIRE(writer.PutBlob(store.blobs(), *layer));
  REQUIRE(writer.PutSmallBlob(config_desc, config));
  CHECK(reg.manifests.count("cache/app/manifests/max") == 0);
  REQUIRE(writer.PutManifest(manifest));
  CHECK(reg.blobs.at("cache/app/blobs/" + layer->digest.str()) == "layer-bytes");
  CHECK(reg.blobs.at("cache/app/blobs/" + config_desc.digest.str()) == config);
  CHECK(reg.manifests.at("cache/app/manifests/max") == std::pair{std::string(oci::kOciManifest), manifest});

  // A second export finds both blobs (HEAD) and uploads nothing.
  int uploads = reg.Count("/blobs/uploads/");
  REQUIRE(writer.PutBlob(store.blobs(), *layer));
  REQUIRE(writer.PutSmallBlob(config_desc, config));
  CHECK(reg.Count("/blobs/uploads/") == uploads);

  RegistryCacheReader reader(reg, Ref("127.0.0.1:5000/cache/app:max"));
  auto got = reader.GetManifest();
  REQUIRE(got);
  CHECK(*got == manifest);
  auto small = reader.ReadSmallBlob(config_desc);
  REQUIRE(small);
  CHECK(*small == config);
}

TEST_CASE("a cache blob whose bytes differ from its digest is not stored") {
  TempDir dir;
  oci::ImageStore store = *oci::ImageStore::Open(dir.path());
  FakeRegistry reg;
  oci::Descriptor good = oci::Descriptor::For(oci::kOciLayerTar, "the-real-bytes");
  reg.blobs["cache/app/blobs/" + good.digest.str()] = "the-fake-bytes";  // same length
  RegistryCacheReader reader(reg, Ref("127.0.0.1:5000/cache/app:max"));
  auto fetched = reader.FetchBlob(good, store.blobs());
  REQUIRE_FALSE(fetched);
  CHECK(fetched.error().code() == ErrorCode::kCorrupt);
  CHECK_FALSE(store.blobs().Has(good.digest));

  reg.blobs["cache/app/blobs/" + good.digest.str()] = "the-real-bytes";
  REQUIRE(reader.FetchBlob(good, store.blobs()));
  CHECK(store.blobs().Has(good.digest));
}

}  // namespace
}  // namespace builder::executor
