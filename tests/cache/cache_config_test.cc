// Tests for the exported cache format: cache config round trips and rejects damage, chains are
// collected base first, and export + import through an OCI layout restores usable entries.
#include "cache/cache_config.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "../oci/temp_tree.h"
#include "base/path.h"
#include "cache/cache_transfer.h"
#include "cache/inline_cache.h"
#include "cache/layout_cache.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace builder::cache {
namespace {

using oci::testing::TempDir;

CacheKey Key(std::string_view seed) { return CacheKeyBuilder("test").Add("seed", seed).Finish(); }

// A store with a chain of two recorded steps (a layer step, then a metadata-free one with a layer).
struct Chain {
  TempDir dir;
  oci::ImageStore store;
  CacheIndex index;
  CacheKey base = Key("base"), first = Key("first"), second = Key("second");
  Chain() : store(*oci::ImageStore::Open(dir.path() + "/store")), index(*CacheIndex::Open(store)) {
    REQUIRE(index.Record(first, Make("layer one", base, "COPY a /a")));
    REQUIRE(index.Record(second, Make("layer two", first, "RUN make")));
  }
  CacheEntry Make(const std::string& bytes, const CacheKey& parent, const std::string& identity) {
    CacheEntry e;
    e.layer = *store.blobs().Put(oci::kOciLayerTar, bytes);
    e.diff_id = e.layer->digest;
    oci::ImageConfig config;
    config.architecture = "amd64";
    config.os = "linux";
    config.history.push_back({"2024-01-01T00:00:00Z", identity, "", "", false});
    e.config = store.blobs().Put(oci::kOciConfig, config.Serialize())->digest;
    e.history = config.history.back();
    e.description = identity;
    e.parent = parent;
    e.step_identity = identity;
    e.inputs.hashes = {{"COPY a", "sha256:1234"}, {"name\nwith newline", "\x01"}};
    e.created = "2024-01-01T00:00:00Z";
    return e;
  }
};

TEST_CASE("cache config: round trip keeps every field, tree summaries are dropped") {
  Chain c;
  auto entries = CollectChains(c.index, {c.second});
  REQUIRE(entries);
  REQUIRE(entries->size() == 2);
  CHECK(entries->at(0).key == c.first);  // base first
  CHECK(entries->at(1).key == c.second);
  (*entries)[0].entry.inputs.trees["COPY a"] = TreeSummary{};
  std::string text = SerializeCacheConfig(*entries);
  CHECK(text.find("trees") == std::string::npos);
  auto back = ParseCacheConfig(text);
  REQUIRE(back);
  (*entries)[0].entry.inputs.trees.clear();
  CHECK(*back == *entries);
}

TEST_CASE("cache config: damaged documents are errors naming the problem") {
  CHECK(ParseCacheConfig("{").error().code() == ErrorCode::kParse);
  CHECK(ParseCacheConfig(R"({"version":2,"entries":[]})").error().code() == ErrorCode::kCorrupt);
  CHECK(ParseCacheConfig(R"({"version":1})").error().code() == ErrorCode::kCorrupt);
  auto bad_key = ParseCacheConfig(R"({"version":1,"entries":[{"key":"xyz","entry":{}}]})");
  REQUIRE(!bad_key);
  CHECK(bad_key.error().ToString().find("entries[0]: bad key") != std::string::npos);
  Chain c;
  auto entries = *CollectChains(c.index, {c.second});
  entries.push_back(entries.front());
  auto twice = ParseCacheConfig(SerializeCacheConfig(entries));
  REQUIRE(!twice);
  CHECK(twice.error().ToString().find("listed twice") != std::string::npos);
}

TEST_CASE("cache chains: several tips share entries once; a missing entry ends the chain") {
  Chain c;
  auto both = CollectChains(c.index, {c.first, c.second});
  REQUIRE(both);
  CHECK(both->size() == 2);
  auto none = CollectChains(c.index, {Key("unknown")});
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("cache export to an OCI layout and import into an empty store") {
  Chain c;
  const std::string layout = c.dir.path() + "/layout";
  auto entries = *CollectChains(c.index, {c.second});
  {
    auto writer = LayoutCacheWriter::Open(layout);
    REQUIRE(writer);
    auto stats = ExportCache(c.store, entries, *writer);
    REQUIRE(stats);
    CHECK(stats->entries == 2);
    CHECK(stats->blobs == 4);  // two layers, two configs
  }
  LayoutCacheReader reader(layout);
  auto manifest_bytes = reader.GetManifest();
  REQUIRE(manifest_bytes);
  auto manifest = oci::Manifest::Parse(*manifest_bytes);
  REQUIRE(manifest);
  CHECK(IsCacheManifest(*manifest));
  CHECK(manifest->artifact_type == kCacheArtifactType);
  CHECK(manifest->layers.size() == 4);

  oci::ImageStore other = *oci::ImageStore::Open(c.dir.path() + "/other");
  CacheIndex other_index = *CacheIndex::Open(other);
  auto imported = ImportCache(other, other_index, reader);
  REQUIRE(imported);
  CHECK(imported->entries == 2);
  CHECK(imported->blobs == 4);
  auto hit = other_index.Lookup(c.second);
  REQUIRE(hit);
  REQUIRE(*hit);
  CHECK((*hit)->layer == entries[1].entry.layer);
  CHECK((*hit)->inputs.hashes == entries[1].entry.inputs.hashes);
  // A second import finds everything present.
  auto again = ImportCache(other, other_index, reader);
  REQUIRE(again);
  CHECK(again->entries == 0);
  CHECK(again->blobs == 0);
}

TEST_CASE("cache import: a damaged blob in the layout is refused and nothing is recorded") {
  Chain c;
  const std::string layout = c.dir.path() + "/layout";
  auto entries = *CollectChains(c.index, {c.first});
  auto writer = LayoutCacheWriter::Open(layout);
  REQUIRE(writer);
  REQUIRE(ExportCache(c.store, entries, *writer));
  REQUIRE(WriteFileAtomic(layout + "/blobs/sha256/" + std::string(entries[0].entry.layer->digest.hex()),
                          "tampered"));
  oci::ImageStore other = *oci::ImageStore::Open(c.dir.path() + "/other");
  CacheIndex other_index = *CacheIndex::Open(other);
  LayoutCacheReader reader(layout);
  auto imported = ImportCache(other, other_index, reader);
  REQUIRE(!imported);
  CHECK(imported.error().code() == ErrorCode::kCorrupt);
  CHECK(!other.blobs().Has(entries[0].entry.layer->digest));
  CHECK(!*other_index.Lookup(c.first));
  LayoutCacheReader nothing(c.dir.path() + "/missing");
  CHECK(nothing.GetManifest().error().code() == ErrorCode::kNotFound);
}

TEST_CASE("inline cache: entries ride in the image config and come back naming its config") {
  Chain c;
  auto entries = *CollectChains(c.index, {c.second});
  std::vector<oci::Descriptor> layers{*entries[0].entry.layer, *entries[1].entry.layer};
  auto config = AddInlineCache(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})", entries, layers);
  REQUIRE(config);
  CHECK(oci::ImageConfig::Parse(*config));  // still an ordinary config
  oci::Digest image_config = oci::Digest::Of(*config);
  auto back = ReadInlineCache(*config, image_config, layers);
  REQUIRE(back);
  REQUIRE(back->size() == 2);
  CHECK(back->at(1).key == c.second);
  CHECK(back->at(1).entry.config == image_config);
  CHECK(back->at(1).entry.layer == entries[1].entry.layer);
  // An entry whose layer is not the image's is dropped.
  auto fewer = ReadInlineCache(*config, image_config, {layers[0]});
  REQUIRE(fewer);
  CHECK(fewer->size() == 1);
  auto plain = ReadInlineCache(R"({"architecture":"amd64"})", image_config, layers);
  REQUIRE(plain);
  CHECK(plain->empty());
  CHECK(!ReadInlineCache(R"({"builder.cache.v1":{"version":9}})", image_config, layers));
}

}  // namespace
}  // namespace builder::cache
