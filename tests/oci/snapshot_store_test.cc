// Tests for SnapshotStore: chain IDs, unpack-once snapshots, reuse, damaged layers.
#include "oci/snapshot_store.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "oci/remove_tree.h"
#include "store_fixture.h"
#include "temp_tree.h"

namespace builder::oci {
namespace {

using testing::TempDir;

TEST_CASE("snapshot store: chain IDs follow the OCI definition") {
  Digest a = Digest::Of("a"), b = Digest::Of("b"), c = Digest::Of("c");
  std::vector<Digest> chain = ChainIds({a, b, c});
  REQUIRE(chain.size() == 3);
  CHECK(chain[0] == a);
  CHECK(chain[1] == Digest::Of(a.str() + " " + b.str()));
  CHECK(chain[2] == Digest::Of(chain[1].str() + " " + c.str()));
  CHECK(ChainIds({}).empty());
}

TEST_CASE("snapshot store: Prepare unpacks all layers once and reuses the snapshot") {
  TempDir t;
  auto store = ImageStore::Open(t / "store");
  REQUIRE(store);
  REQUIRE(::mkdir((t / "l1").c_str(), 0755) == 0);
  REQUIRE(::mkdir((t / "l2").c_str(), 0755) == 0);
  REQUIRE(testing::PutFile(t / "l1/a", "one"));
  REQUIRE(testing::PutFile(t / "l1/b", "bee"));
  REQUIRE(::mkdir((t / "l1/ro").c_str(), 0555) == 0);
  REQUIRE(testing::PutFile(t / "l2/a", "two"));
  REQUIRE(testing::PutFile(t / "l2/.wh.b", ""));
  auto l1 = testing::StoreLayer(*store, t / "l1");
  auto l2 = testing::StoreLayer(*store, t / "l2", Compression::kZstd);
  Descriptor m = testing::MakeImageOf(*store, {l1, l2});
  REQUIRE(store->Tag(m, testing::Ref("snap:1")));
  auto image = store->Resolve("snap:1");
  REQUIRE(image);

  SnapshotStore snapshots(*store);
  auto dir = snapshots.Prepare(*image, {.preserve_ownership = false});
  REQUIRE(dir);
  std::vector<Digest> chain = ChainIds({l1.diff_id, l2.diff_id});
  CHECK(*dir == t / ("store/snapshots/" + std::string(chain[1].hex())));
  CHECK(testing::GetFile(*dir + "/a") == "two");
  CHECK_FALSE(testing::Exists(*dir + "/b"));
  CHECK(testing::Exists(*dir + "/ro"));
  // A second Prepare reuses it (a marker file survives).
  REQUIRE(testing::PutFile(*dir + "/marker", "m"));
  auto again = snapshots.Prepare(*image);
  REQUIRE(again);
  CHECK(testing::Exists(*again + "/marker"));
  auto names = snapshots.List();
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{std::string(chain[1].hex())});
  // Read-only directories from the image do not stop removal.
  auto freed = snapshots.Remove(std::string(chain[1].hex()));
  REQUIRE(freed);
  CHECK(*freed == 4);  // "two" + "m"
  CHECK(snapshots.List()->empty());
}

TEST_CASE("snapshot store: a corrupt layer fails Prepare and publishes nothing") {
  TempDir t;
  auto store = ImageStore::Open(t / "store");
  REQUIRE(store);
  REQUIRE(::mkdir((t / "l1").c_str(), 0755) == 0);
  REQUIRE(testing::PutFile(t / "l1/a", std::string(5000, 'a')));
  auto l1 = testing::StoreLayer(*store, t / "l1", Compression::kNone);
  Descriptor m = testing::MakeImageOf(*store, {l1});
  REQUIRE(store->Tag(m, testing::Ref("bad:1")));
  auto image = store->Resolve("bad:1");
  REQUIRE(image);
  // Flip one byte inside the file content of the uncompressed tar.
  std::string blob = testing::GetFile(store->blobs().PathOf(l1.descriptor.digest));
  blob[600] ^= 1;
  REQUIRE(testing::PutFile(store->blobs().PathOf(l1.descriptor.digest), blob));
  SnapshotStore snapshots(*store);
  auto dir = snapshots.Prepare(*image, {.preserve_ownership = false});
  REQUIRE_FALSE(dir);
  CHECK(dir.error().code() == ErrorCode::kCorrupt);
  CHECK(snapshots.List()->empty());
  CHECK(testing::CountEntries(t / "store/tmp") == 0);
}

TEST_CASE("snapshot store: an image without layers gets the empty snapshot") {
  TempDir t;
  auto store = ImageStore::Open(t / "store");
  REQUIRE(store);
  Descriptor m = testing::MakeImageOf(*store, {});
  REQUIRE(store->Tag(m, testing::Ref("scratch:1")));
  auto image = store->Resolve("scratch:1");
  REQUIRE(image);
  auto dir = SnapshotStore(*store).Prepare(*image);
  REQUIRE(dir);
  CHECK(*dir == t / "store/snapshots/empty");
}

TEST_CASE("remove tree: deep trees and missing paths") {
  TempDir t;
  std::string p = t / "deep";
  REQUIRE(::mkdir(p.c_str(), 0755) == 0);
  std::string cur = p;
  for (int i = 0; i < 300; ++i) {
    cur += "/d";
    REQUIRE(::mkdir(cur.c_str(), 0755) == 0);
  }
  REQUIRE(testing::PutFile(cur + "/f", "12345"));
  for (std::string d = cur; d.size() > p.size(); d.resize(d.size() - 2)) ::chmod(d.c_str(), 0500);
  auto freed = RemoveTree(p);
  REQUIRE(freed);
  CHECK(*freed == 5);
  CHECK_FALSE(testing::Exists(p));
  CHECK(*RemoveTree(p) == 0);
}

}  // namespace
}  // namespace builder::oci
