// Tests for PushImage over the fake registry: uploads, skips, mounts, chunks, resume, retries.
#include "registry/image_pusher.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fake_registry.h"
#include "oci/store_fixture.h"
#include "oci/temp_tree.h"
#include "registry/blob_sources.h"

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
  PushOptions options;
  std::vector<BlobPush> seen;
  Fixture() {
    options.credentials = [] { return Result<std::optional<RegistryCredentials>>(std::nullopt); };
    options.on_blob = [this](const oci::Descriptor&, BlobPush p, const std::string&) { seen.push_back(p); };
    options.jobs = 1;  // the fake registry is not thread-safe
  }
  int Count(BlobPush what) const { return static_cast<int>(std::count(seen.begin(), seen.end(), what)); }
};

TEST_CASE("a push uploads every blob, then the manifest under the tag; a second push uploads nothing") {
  Fixture f;
  oci::Descriptor m = oci::testing::MakeImage(f.store, {"layer one", "layer two"});
  auto pushed = PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/app:1"), f.options);
  REQUIRE(pushed);
  CHECK(pushed->digest == m.digest);
  CHECK(pushed->size == m.size);
  CHECK(f.Count(BlobPush::kUploaded) == 3);  // config + 2 layers
  REQUIRE(f.reg.manifests.count("lib/app/manifests/1") == 1);
  CHECK(f.reg.manifests["lib/app/manifests/1"].second == *f.store.blobs().Read(m));
  CHECK(f.reg.requests.back().method == "PUT");
  CHECK(f.reg.requests.back().url.ends_with("/manifests/1"));
  CHECK(f.reg.uploads.empty());

  f.seen.clear();
  f.reg.requests.clear();
  auto again = PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/app:1"), f.options);
  REQUIRE(again);
  CHECK(f.Count(BlobPush::kExists) == 3);
  for (const HttpRequest& r : f.reg.requests) CHECK((r.method == "HEAD" || r.url.find("/manifests/") != std::string::npos));
}

TEST_CASE("blobs known to be in another repository are mounted, not uploaded") {
  Fixture f;
  oci::Descriptor m = oci::testing::MakeImage(f.store, {"base layer"});
  REQUIRE(PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/base:1"), f.options));
  f.seen.clear();
  auto pushed = PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/other:1"), f.options);
  REQUIRE(pushed);
  CHECK(f.Count(BlobPush::kMounted) == 2);
  CHECK(f.Count(BlobPush::kUploaded) == 0);
  CHECK(f.reg.Count("?mount=") == 2);
  // The record moved to the last repository pushed to.
  auto sources = BlobSources::Load(f.store.root(), "127.0.0.1:5000");
  oci::Manifest manifest = *oci::Manifest::Parse(*f.store.blobs().Read(m));
  CHECK(sources.Find(manifest.layers[0].digest) == std::optional<std::string>("lib/other"));
}

TEST_CASE("a mount the registry refuses falls back to an upload") {
  Fixture f;
  oci::Descriptor m = oci::testing::MakeImage(f.store, {"layer"});
  oci::Manifest manifest = *oci::Manifest::Parse(*f.store.blobs().Read(m));
  auto sources = BlobSources::Load(f.store.root(), "127.0.0.1:5000");
  sources.Record(manifest.layers[0].digest, "lib/gone");
  REQUIRE(sources.Save());
  auto pushed = PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/app:1"), f.options);
  REQUIRE(pushed);
  CHECK(f.Count(BlobPush::kUploaded) == 2);
  CHECK(f.reg.uploads.empty());  // the session the refused mount opened was cancelled
}

TEST_CASE("big blobs go in PATCH chunks with Content-Range, and a dropped chunk resumes at the registry's offset") {
  Fixture f;
  std::string big(10000, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  oci::Descriptor m = oci::testing::MakeImage(f.store, {big});
  f.options.chunk_size = 3000;
  f.reg.drop_uploads = 2;
  auto pushed = PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/big:1"), f.options);
  REQUIRE(pushed);
  oci::Manifest manifest = *oci::Manifest::Parse(*f.store.blobs().Read(m));
  CHECK(f.reg.blobs["lib/big/blobs/" + manifest.layers[0].digest.str()] == big);
  CHECK(f.reg.drop_uploads == 0);
  int patches = 0, status_queries = 0;
  for (const HttpRequest& r : f.reg.requests) {
    patches += r.method == "PATCH";
    status_queries += r.method == "GET" && r.url.find("/blobs/uploads/") != std::string::npos;
  }
  CHECK(patches >= 4);
  CHECK(status_queries == 2);
}

TEST_CASE("a Range answer that overflows or goes negative is ignored, not trusted as the offset") {
  for (std::string range : {"0-9223372036854775807", "0--5", "0-12x", "0-"}) {
    CAPTURE(range);
    Fixture f;
    std::string big(7000, 'y');
    oci::Descriptor m = oci::testing::MakeImage(f.store, {big});
    f.options.chunk_size = 3000;
    f.reg.patch_range = range;
    auto pushed = PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/big:1"), f.options);
    REQUIRE(pushed);
    oci::Manifest manifest = *oci::Manifest::Parse(*f.store.blobs().Read(m));
    CHECK(f.reg.blobs["lib/big/blobs/" + manifest.layers[0].digest.str()] == big);
  }
}

TEST_CASE("503 answers are retried") {
  Fixture f;
  oci::Descriptor m = oci::testing::MakeImage(f.store, {"layer"});
  f.reg.unavailable = 2;
  auto pushed = PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/app:1"), f.options);
  REQUIRE(pushed);
  CHECK(f.reg.manifests.count("lib/app/manifests/1") == 1);
}

TEST_CASE("a registry that keeps failing leaves no manifest and names the failure") {
  Fixture f;
  oci::Descriptor m = oci::testing::MakeImage(f.store, {"layer"});
  f.reg.drop_uploads = 100;
  auto pushed = PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/app:1"), f.options);
  REQUIRE_FALSE(pushed);
  CHECK(pushed.error().ToString().find("push 127.0.0.1:5000/lib/app:1") != std::string::npos);
  CHECK(pushed.error().ToString().find("Connection reset") != std::string::npos);
  CHECK(f.reg.manifests.empty());
}

TEST_CASE("bearer tokens are asked for with the push scope") {
  Fixture f;
  f.reg.token = "tok";
  oci::Descriptor m = oci::testing::MakeImage(f.store, {"layer"});
  REQUIRE(PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/app:1"), f.options));
  CHECK(f.reg.Count("scope=repository%3Alib%2Fapp%3Apull%2Cpush") >= 1);
}

TEST_CASE("--compression recompresses layers stored otherwise and pushes the rewritten manifest") {
  Fixture f;
  oci::Descriptor m = oci::testing::MakeImage(f.store, {"plain tar bytes"});  // stored uncompressed
  f.options.compression = oci::Compression::kGzip;
  auto pushed = PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/gz:1"), f.options);
  REQUIRE(pushed);
  CHECK(pushed->digest != m.digest);
  const std::string& bytes = f.reg.manifests["lib/gz/manifests/1"].second;
  CHECK(oci::Digest::Of(bytes) == pushed->digest);
  oci::Manifest manifest = *oci::Manifest::Parse(bytes);
  REQUIRE(manifest.layers.size() == 1);
  CHECK(manifest.layers[0].media_type == std::string(oci::kOciLayerTarGzip));
  const std::string& blob = f.reg.blobs["lib/gz/blobs/" + manifest.layers[0].digest.str()];
  CHECK(static_cast<std::int64_t>(blob.size()) == manifest.layers[0].size);
  CHECK(oci::Digest::Of(blob) == manifest.layers[0].digest);
  REQUIRE(blob.size() > 2);
  CHECK(static_cast<unsigned char>(blob[0]) == 0x1f);  // gzip magic
  CHECK(static_cast<unsigned char>(blob[1]) == 0x8b);
  // The config (and its diff_ids) is the stored one.
  oci::Manifest stored = *oci::Manifest::Parse(*f.store.blobs().Read(m));
  CHECK(manifest.config == stored.config);
  // Already in the wanted compression: pushed as stored.
  f.options.compression = oci::Compression::kNone;
  auto same = PushImage(f.store, f.reg, m, Ref("127.0.0.1:5000/lib/plain:1"), f.options);
  REQUIRE(same);
  CHECK(same->digest == m.digest);
}

}  // namespace
}  // namespace builder::registry
