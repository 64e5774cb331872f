// Tests for LoadImages: docker-archives old and new, OCI archives and layouts, compressed
// archives, and damaged input (digest and diff_id mismatches) that must tag nothing.
#include "oci/archive_loader.h"

#include <doctest/doctest.h>

#include "archive_fixture.h"
#include "oci/archive_writer.h"
#include "oci/docker_archive.h"
#include "oci/image_index.h"
#include "store_fixture.h"
#include "temp_tree.h"

namespace builder::oci {
namespace {

using testing::Compress;
using testing::MakeTar;
using testing::Ref;
using testing::StringSource;
using testing::TempDir;

Result<std::vector<LoadedImage>> Load(const ImageStore& store, const std::string& archive) {
  StringSource source(archive);
  return LoadImages(store, source);
}

std::string Hex(const Digest& d) { return std::string(d.hex()); }

// A hand-written pre-Docker-25 save: <id>/layer.tar, <id>.json, manifest.json LAST.
struct OldStyle {
  std::string layer = MakeTar({{"etc/", ""}, {"etc/hello", "hi\n"}});
  std::string config;
  std::string archive;

  explicit OldStyle(const std::string& diff_id_override = "") {
    ImageConfig c;
    c.architecture = "amd64";
    c.os = "linux";
    c.rootfs.diff_ids = {diff_id_override.empty() ? Digest::Of(layer)
                                                  : *Digest::Parse(diff_id_override)};
    config = c.Serialize();
    std::string cid = Hex(Digest::Of(config));
    std::string lid(64, 'a');
    archive = MakeTar({{lid + "/", ""},
                       {lid + "/VERSION", "1.0"},
                       {lid + "/json", "{}"},
                       {lid + "/layer.tar", layer},
                       {cid + ".json", config},
                       {"repositories", R"({"app":{"1.0":")" + lid + R"("}})"},
                       {"manifest.json", R"([{"Config":")" + cid + R"(.json","RepoTags":["app:1.0"],)" +
                                             R"("Layers":[")" + lid + R"(/layer.tar"]}])"}});
  }
};

TEST_CASE("load: old-style docker archive keeps the config bytes and the layer as a plain tar") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  OldStyle old;
  auto loaded = Load(*store, old.archive);
  REQUIRE(loaded);
  REQUIRE(loaded->size() == 1);
  CHECK((*loaded)[0].id == Digest::Of(old.config));
  REQUIRE((*loaded)[0].tags.size() == 1);
  CHECK((*loaded)[0].tags[0].String() == "docker.io/library/app:1.0");
  auto image = store->Resolve("app:1.0");
  REQUIRE(image);
  CHECK(image->id() == Digest::Of(old.config));
  REQUIRE(image->manifest.layers.size() == 1);
  CHECK(image->manifest.layers[0].media_type == kOciLayerTar);
  CHECK(image->manifest.layers[0].digest == Digest::Of(old.layer));
  CHECK(store->blobs().Verify(image->manifest.layers[0].digest));
}

TEST_CASE("load: layers symlinked to another image's layer (docker dedup) resolve") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  OldStyle old;
  std::string cid = Hex(Digest::Of(old.config));
  std::string archive = MakeTar(
      {{"real/layer.tar", old.layer},
       {"other/layer.tar", "->../real/layer.tar"},
       {cid + ".json", old.config},
       {"manifest.json", R"([{"Config":")" + cid + R"(.json","RepoTags":["x:1"],"Layers":["other/layer.tar"]}])"}});
  auto loaded = Load(*store, archive);
  REQUIRE(loaded);
  CHECK(store->Resolve("x:1"));
}

TEST_CASE("load: what save wrote loads back, plain, gzip- and zstd-compressed") {
  TempDir t;
  auto src = ImageStore::Open(t / "src");
  REQUIRE(src);
  auto layer = testing::MakeImage(*src, {MakeTar({{"a", "1"}})});
  REQUIRE(src->Tag(layer, Ref("app:1.0")));
  auto image = src->Resolve("app:1.0");
  REQUIRE(image);
  StringSink saved;
  REQUIRE(SaveImages(*src, {{*image, {Ref("app:1.0")}}}, saved));
  int n = 0;
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    CAPTURE(CompressionName(c));
    auto store = ImageStore::Open(t / ("dst" + std::to_string(n++)));
    REQUIRE(store);
    auto loaded =
        Load(*store, c == Compression::kNone ? saved.data() : Compress(saved.data(), c));
    REQUIRE(loaded);
    REQUIRE(loaded->size() == 1);
    CHECK((*loaded)[0].manifest.digest == image->digest());
    auto back = store->Resolve("app:1.0");
    REQUIRE(back);
    CHECK(back->digest() == image->digest());
  }
}

// An OCI archive with the given index.json annotations on its one manifest.
std::string OciArchive(const std::map<std::string, std::string>& annotations,
                       std::string* manifest_digest = nullptr) {
  std::string layer = MakeTar({{"f", "content"}});
  ImageConfig c;
  c.architecture = "amd64";
  c.os = "linux";
  c.rootfs.diff_ids = {Digest::Of(layer)};
  std::string config = c.Serialize();
  Manifest m;
  m.config = Descriptor::For(kOciConfig, config);
  m.layers = {Descriptor::For(kOciLayerTar, layer)};
  std::string manifest = m.Serialize();
  ImageIndex index;
  Descriptor entry = Descriptor::For(kOciManifest, manifest);
  entry.annotations = annotations;
  index.manifests = {entry};
  if (manifest_digest) *manifest_digest = entry.digest.str();
  std::vector<std::pair<std::string, std::string>> files = {
      {"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"}, {"index.json", index.Serialize()}};
  for (const std::string& blob : {layer, config, manifest})
    files.push_back({"blobs/sha256/" + Hex(Digest::Of(blob)), blob});
  return MakeTar(files);
}

TEST_CASE("load: OCI archive names from containerd annotation, full ref.name, or none") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  auto a = Load(*store, OciArchive({{"io.containerd.image.name", "docker.io/library/web:2"},
                                    {"org.opencontainers.image.ref.name", "2"}}));
  REQUIRE(a);
  REQUIRE((*a)[0].tags.size() == 1);
  CHECK((*a)[0].tags[0].FamiliarString() == "web:2");
  auto b = Load(*store, OciArchive({{"org.opencontainers.image.ref.name", "skopeo/oci:1"}}));
  REQUIRE(b);
  REQUIRE((*b)[0].tags.size() == 1);
  CHECK((*b)[0].tags[0].FamiliarString() == "skopeo/oci:1");
  auto fresh = ImageStore::Open(t / "fresh");
  REQUIRE(fresh);
  auto c = Load(*fresh, OciArchive({{"org.opencontainers.image.ref.name", "1"}}));
  REQUIRE(c);
  CHECK((*c)[0].tags.empty());
  // The untagged image has a bare index entry, so prune keeps it.
  auto index = fresh->ReadIndex();
  REQUIRE(index);
  REQUIRE(index->manifests.size() == 1);
  CHECK(index->manifests[0].annotations.empty());
}

TEST_CASE("load: a blob whose content does not match its name is rejected, nothing tagged") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  std::string archive = OciArchive({{"io.containerd.image.name", "docker.io/library/bad:1"}});
  // Flip a byte of the layer's content ("content" -> "Content") inside the tar.
  auto pos = archive.find("content");
  REQUIRE(pos != std::string::npos);
  archive[pos] = 'C';
  auto r = Load(*store, archive);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kCorrupt);
  CHECK(r.error().ToString().find("does not match its digest") != std::string::npos);
  auto index = store->ReadIndex();
  REQUIRE(index);
  CHECK(index->manifests.empty());
}

TEST_CASE("load: a layer whose diff_id differs from the config is rejected naming it") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  OldStyle old("sha256:" + std::string(64, '0'));
  auto r = Load(*store, old.archive);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kCorrupt);
  CHECK(r.error().ToString().find("/layer.tar") != std::string::npos);
  CHECK(store->ReadIndex()->manifests.empty());
}

TEST_CASE("load: archives without metadata, or missing layers, are rejected") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  auto none = Load(*store, MakeTar({{"a", "b"}}));
  REQUIRE_FALSE(none);
  CHECK(none.error().code() == ErrorCode::kInvalidArgument);
  auto missing = Load(*store, MakeTar({{"manifest.json",
                                        R"([{"Config":"c.json","RepoTags":[],"Layers":[]}])"}}));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::kNotFound);
  auto not_tar = Load(*store, std::string(4096, 'x'));
  REQUIRE_FALSE(not_tar);
}

TEST_CASE("load: an OCI layout directory") {
  TempDir t;
  auto src = ImageStore::Open(t / "src");
  REQUIRE(src);
  auto m = testing::MakeImage(*src, {MakeTar({{"a", "1"}})});
  REQUIRE(src->Tag(m, Ref("dir/app:3")));
  auto store = ImageStore::Open(t / "dst");
  REQUIRE(store);
  auto loaded = LoadImagesFromLayout(*store, t / "src");
  REQUIRE(loaded);
  REQUIRE(loaded->size() == 1);
  CHECK((*loaded)[0].tags.at(0).FamiliarString() == "dir/app:3");
  CHECK(store->Resolve("dir/app:3"));
}

TEST_CASE("load: an image index whose other platforms lack their layers loads the host one") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  auto manifest_for = [](const std::string& arch, const std::string& layer, std::string* config) {
    ImageConfig c;
    c.architecture = arch;
    c.os = "linux";
    c.rootfs.diff_ids = {Digest::Of(layer)};
    *config = c.Serialize();
    Manifest m;
    m.config = Descriptor::For(kOciConfig, *config);
    m.layers = {Descriptor::For(kOciLayerTar, layer)};
    return m.Serialize();
  };
  Platform host = Platform::Host();
  std::string here_layer = MakeTar({{"here", "1"}}), there_layer = MakeTar({{"there", "2"}});
  std::string here_config, there_config;
  std::string here = manifest_for(host.architecture, here_layer, &here_config);
  std::string there = manifest_for("s390x", there_layer, &there_config);
  ImageIndex platforms;
  Descriptor d1 = Descriptor::For(kOciManifest, here);
  d1.platform = host;
  Descriptor d2 = Descriptor::For(kOciManifest, there);
  d2.platform = *Platform::Parse("linux/s390x");
  platforms.manifests = {d1, d2};
  std::string platforms_json = platforms.Serialize();
  ImageIndex top;
  Descriptor entry = Descriptor::For(kOciIndex, platforms_json);
  entry.annotations = {{"io.containerd.image.name", "docker.io/library/multi:1"}};
  top.manifests = {entry};
  std::vector<std::pair<std::string, std::string>> files = {{"index.json", top.Serialize()}};
  // there_layer is missing, as in a single-platform containerd export.
  for (const std::string& blob : {here_layer, here_config, here, there_config, there, platforms_json})
    files.push_back({"blobs/sha256/" + Hex(Digest::Of(blob)), blob});
  auto loaded = Load(*store, MakeTar(files));
  REQUIRE(loaded);
  REQUIRE(loaded->size() == 1);
  CHECK((*loaded)[0].id == Digest::Of(here_config));
  auto image = store->Resolve("multi:1");
  REQUIRE(image);
  CHECK(image->id() == Digest::Of(here_config));
}

}  // namespace
}  // namespace builder::oci
