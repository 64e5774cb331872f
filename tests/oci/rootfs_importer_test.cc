// Tests for ImportRootfs: one-layer images, SOURCE_DATE_EPOCH determinism, clamped mtimes.
#include "oci/rootfs_importer.h"

#include <doctest/doctest.h>

#include "archive_fixture.h"
#include "store_fixture.h"
#include "temp_tree.h"

namespace builder::oci {
namespace {

using testing::Compress;
using testing::MakeTar;
using testing::StringSource;
using testing::TempDir;

std::string Rootfs() {
  return MakeTar({{"bin/", ""}, {"bin/sh", "#!binary"}, {"etc/motd", "hi"}}, /*mtime=*/1700000000);
}

Result<ImportResult> Import(const ImageStore& store, const std::string& tar,
                            ImportOptions options) {
  StringSource source(tar);
  return ImportRootfs(store, source, options);
}

ImportOptions WithEpoch(std::int64_t epoch, Compression c) {
  ImportOptions o;
  o.source_date_epoch = epoch;
  o.compression.compression = c;
  o.platform = *Platform::Parse("linux/amd64");
  o.comment = "Imported from rootfs.tar";
  return o;
}

TEST_CASE("import: SOURCE_DATE_EPOCH gives the same digest in two stores, per compression") {
  TempDir t;
  for (Compression c : {Compression::kGzip, Compression::kZstd}) {
    CAPTURE(CompressionName(c));
    std::string name(CompressionName(c));
    auto a = ImageStore::Open(t / ("a-" + name));
    auto b = ImageStore::Open(t / ("b-" + name));
    REQUIRE(a);
    REQUIRE(b);
    auto first = Import(*a, Rootfs(), WithEpoch(946684800, c));
    auto second = Import(*b, Rootfs(), WithEpoch(946684800, c));
    auto other = Import(*b, Rootfs(), WithEpoch(978307200, c));
    REQUIRE(first);
    REQUIRE(second);
    REQUIRE(other);
    CHECK(first->manifest.digest == second->manifest.digest);
    CHECK(first->id == second->id);
    CHECK(first->manifest.digest != other->manifest.digest);
    auto image = a->Load(first->manifest);
    REQUIRE(image);
    CHECK(image->manifest.layers.at(0).media_type == LayerMediaType(ImageFormat::kOci, c));
  }
}

TEST_CASE("import: config, history and clamped mtimes") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  ImportOptions options = WithEpoch(946684800, Compression::kGzip);
  options.config.cmd = {"/bin/sh"};
  options.tag = testing::Ref("base:1");
  auto imported = Import(*store, Compress(Rootfs(), Compression::kGzip), options);
  REQUIRE(imported);
  auto image = store->Resolve("base:1");
  REQUIRE(image);
  CHECK(image->id() == imported->id);
  CHECK(image->config.created == "2000-01-01T00:00:00Z");
  CHECK(image->config.architecture == "amd64");
  CHECK(image->config.config.cmd == std::vector<std::string>{"/bin/sh"});
  CHECK(image->config.config.env.empty());
  REQUIRE(image->config.history.size() == 1);
  CHECK(image->config.history[0].comment == "Imported from rootfs.tar");
  CHECK(image->config.history[0].created_by.empty());
  // The layer holds the same entries, with mtimes clamped to the epoch.
  auto blob = store->blobs().Read(image->manifest.layers[0].digest);
  REQUIRE(blob);
  StringSource source(*blob);
  auto reader = TarReader::Open(source);
  REQUIRE(reader);
  std::vector<std::string> names;
  while (true) {
    auto entry = (*reader)->Next();
    REQUIRE(entry);
    if (!*entry) break;
    names.push_back(archive_entry_pathname(*entry));
    CHECK(archive_entry_mtime(*entry) == 946684800);
    CHECK_FALSE(archive_entry_atime_is_set(*entry));
  }
  CHECK(names == std::vector<std::string>{"bin/", "bin/sh", "etc/motd"});
}

TEST_CASE("import: untagged imports stay in index.json; non-tar input fails") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  auto imported = Import(*store, Rootfs(), {});
  REQUIRE(imported);
  auto index = store->ReadIndex();
  REQUIRE(index);
  REQUIRE(index->manifests.size() == 1);
  CHECK(index->manifests[0].digest == imported->manifest.digest);
  auto bad = Import(*store, std::string(3000, 'q'), {});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::kCorrupt);
}

TEST_CASE("import: FormatRfc3339") {
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(946684800, 500000000) == "2000-01-01T00:00:00.5Z");
}

}  // namespace
}  // namespace builder::oci
