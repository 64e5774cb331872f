// Tests for Prune: unreferenced content removed, referenced and in-flight content kept.
#include "oci/gc.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <optional>

#include "oci/diff_store.h"
#include "oci/snapshot_store.h"
#include "store_fixture.h"
#include "temp_tree.h"

namespace builder::oci {
namespace {

using testing::CountEntries;
using testing::MakeImage;
using testing::Ref;
using testing::TempDir;

// Two tagged images sharing their first layer: "keep" stays tagged, tests untag "drop".
struct KeepAndDrop {
  TempDir t;
  std::optional<ImageStore> store;
  Descriptor keep, drop;
  KeepAndDrop() {
    auto opened = ImageStore::Open(t.path());
    REQUIRE(opened);
    store.emplace(std::move(*opened));
    keep = MakeImage(*store, {"shared", "kept"}, "2020-01-01T00:00:00Z");
    drop = MakeImage(*store, {"shared", "dropped"}, "2020-01-02T00:00:00Z");
    REQUIRE(store->Tag(keep, Ref("keep")));
    REQUIRE(store->Tag(drop, Ref("drop")));
  }
};

TEST_CASE("gc: unreferenced blobs and snapshots go, referenced ones stay") {
  KeepAndDrop f;
  auto kept = f.store->Resolve("keep");
  auto dropped = f.store->Resolve("drop");
  REQUIRE(kept);
  REQUIRE(dropped);
  // Fake snapshot directories: one per chain prefix of the kept image, one of nothing.
  SnapshotStore snapshots(*f.store);
  for (const Digest& id : ChainIds(kept->config.rootfs.diff_ids)) {
    REQUIRE(::mkdir(snapshots.PathOf(id).c_str(), 0755) == 0);
  }
  REQUIRE(::mkdir(snapshots.PathFor(*dropped).c_str(), 0755) == 0);
  REQUIRE(testing::PutFile(snapshots.PathFor(*dropped) + "/file", "123"));
  // Staging leftovers: one old, one fresh.
  REQUIRE(testing::PutFile(f.t / "tmp/.tmp-old", "0123456789"));
  testing::SetMtime(f.t / "tmp/.tmp-old", std::time(nullptr) - 7200);
  REQUIRE(testing::PutFile(f.t / "tmp/.tmp-new", "x"));

  REQUIRE(*f.store->Untag(Ref("drop")));
  auto stats = Prune(*f.store);
  REQUIRE(stats);
  // The dropped image's manifest, config and own layer.
  CHECK(stats->blobs_deleted == 3);
  CHECK(stats->snapshots_deleted == 1);
  CHECK(stats->tmp_deleted == 1);
  CHECK(stats->bytes_reclaimed ==
        static_cast<std::uint64_t>(f.drop.size + dropped->manifest.config.size + 7 + 3 + 10));
  CHECK_FALSE(f.store->blobs().Has(f.drop.digest));
  CHECK(f.store->blobs().Has(f.keep.digest));
  CHECK(f.store->blobs().Has(kept->manifest.config.digest));
  for (const Descriptor& layer : kept->manifest.layers) CHECK(f.store->blobs().Has(layer.digest));
  CHECK(snapshots.List()->size() == 2);
  CHECK(testing::Exists(f.t / "tmp/.tmp-new"));
  CHECK(f.store->Resolve("keep"));

  auto second = Prune(*f.store);
  REQUIRE(second);
  CHECK(second->blobs_deleted == 0);
  CHECK(second->bytes_reclaimed == 0);
}

TEST_CASE("gc: diff dirs go with the last config that lists their diff_id") {
  KeepAndDrop f;
  auto dropped = f.store->Resolve("drop");
  REQUIRE(dropped);
  DiffStore diffs(*f.store);
  for (const Digest& diff_id : dropped->config.rootfs.diff_ids) {
    REQUIRE(::mkdir((f.t / "upper").c_str(), 0755) == 0);
    REQUIRE(testing::PutFile(f.t / "upper/file", "12345"));
    auto kept = diffs.Adopt(f.t / "upper", diff_id);
    REQUIRE(kept);
    CHECK(*kept == f.t / ("diffs/" + std::string(diff_id.hex())));
    CHECK(diffs.Find(diff_id) == *kept);
  }
  CHECK_FALSE(testing::Exists(f.t / "upper"));
  REQUIRE(*f.store->Untag(Ref("drop")));
  auto stats = Prune(*f.store);
  REQUIRE(stats);
  CHECK(stats->diffs_deleted == 1);  // "dropped"; "shared" is still listed by "keep"
  CHECK(diffs.List()->size() == 1);
  CHECK(diffs.Find(dropped->config.rootfs.diff_ids[0]));
  CHECK_FALSE(diffs.Find(dropped->config.rootfs.diff_ids[1]));
}

TEST_CASE("gc: a writer holding the shared lock keeps its in-flight blobs") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  int to_child[2], to_parent[2];
  REQUIRE(::pipe(to_child) == 0);
  REQUIRE(::pipe(to_parent) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The writer: lock, publish an image's blobs, wait, then tag it and let go.
    auto lease = store->LockBlobsShared();
    if (!lease) ::_exit(1);
    ImageConfig config;
    config.architecture = "amd64";
    config.os = "linux";
    auto layer = store->blobs().Put(kOciLayerTar, "in flight");
    if (!layer) ::_exit(1);
    config.rootfs.diff_ids.push_back(layer->digest);
    auto manifest = store->WriteImage(config, {*layer});
    if (!manifest) ::_exit(1);
    char c = 'p';
    if (::write(to_parent[1], &c, 1) != 1) ::_exit(1);
    if (::read(to_child[0], &c, 1) != 1) ::_exit(1);
    if (!store->Tag(*manifest, *Reference::ParseDockerRef("flight:1"))) ::_exit(1);
    ::_exit(0);
  }
  char c;
  REQUIRE(::read(to_parent[0], &c, 1) == 1);
  // Prune cannot start while the writer holds the lock.
  CHECK(FileLock::TryAcquire(store->LockPath("gc"), FileLock::Mode::kExclusive).error().code() ==
        ErrorCode::kAlreadyExists);
  REQUIRE(::write(to_child[1], "g", 1) == 1);
  auto stats = Prune(*store);  // waits for the writer to finish
  REQUIRE(stats);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(stats->blobs_deleted == 0);
  auto image = store->Resolve("flight:1");
  REQUIRE(image);
  CHECK(store->blobs().Has(image->manifest.layers.at(0).digest));
}

TEST_CASE("gc: an unreadable referenced manifest stops prune before it deletes anything") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  Descriptor m = MakeImage(*store, {"a"});
  REQUIRE(store->Tag(m, Ref("x")));
  auto orphan = store->blobs().Put(kOciLayerTar, "orphan");
  REQUIRE(orphan);
  REQUIRE(testing::PutFile(store->blobs().PathOf(m.digest), "{}"));
  auto stats = Prune(*store);
  REQUIRE_FALSE(stats);
  CHECK(stats.error().code() == ErrorCode::kCorrupt);
  CHECK(store->blobs().Has(orphan->digest));
  CHECK(CountEntries(t / "blobs/sha256") == 4);
}

TEST_CASE("gc: extra roots keep blobs and the snapshots of a config's chain") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  auto layer = store->blobs().Put(kOciLayerTar, "cached layer");
  auto orphan = store->blobs().Put(kOciLayerTar, "orphan");
  auto damaged = store->blobs().Put(kOciConfig, "not a config");
  REQUIRE(layer);
  REQUIRE(orphan);
  REQUIRE(damaged);
  ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.rootfs.diff_ids = {layer->digest};
  auto config_blob = store->blobs().Put(kOciConfig, config.Serialize());
  REQUIRE(config_blob);
  SnapshotStore snapshots(*store);
  REQUIRE(::mkdir(snapshots.PathOf(layer->digest).c_str(), 0755) == 0);
  REQUIRE(::mkdir(snapshots.PathOf(orphan->digest).c_str(), 0755) == 0);
  Descriptor absent = Descriptor::For(kOciLayerTar, "never stored");
  int calls = 0;
  PruneOptions options;
  options.extra_roots = [&]() -> Result<std::vector<Descriptor>> {
    ++calls;
    return std::vector<Descriptor>{*layer, *config_blob, absent, *damaged};
  };
  auto stats = Prune(*store, options);
  REQUIRE(stats);
  CHECK(calls == 1);
  CHECK(stats->blobs_deleted == 1);
  CHECK(!store->blobs().Has(orphan->digest));
  CHECK(store->blobs().Has(layer->digest));
  CHECK(store->blobs().Has(config_blob->digest));
  CHECK(store->blobs().Has(damaged->digest));  // a damaged root is kept, not fatal
  CHECK(testing::Exists(snapshots.PathOf(layer->digest)));
  CHECK(!testing::Exists(snapshots.PathOf(orphan->digest)));

  // A failing hook stops prune before anything is deleted.
  auto orphan2 = store->blobs().Put(kOciLayerTar, "orphan 2");
  REQUIRE(orphan2);
  options.extra_roots = []() -> Result<std::vector<Descriptor>> {
    return Fail(ErrorCode::kIo, "cache unreadable");
  };
  CHECK(!Prune(*store, options));
  CHECK(store->blobs().Has(orphan2->digest));
}

}  // namespace
}  // namespace builder::oci
