// Tests for Fsck: a clean store passes; each kind of damage is reported.
#include "oci/fsck.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "store_fixture.h"
#include "temp_tree.h"

namespace builder::oci {
namespace {

using testing::MakeImage;
using testing::Ref;
using testing::TempDir;

bool Mentions(const FsckReport& report, const std::string& needle) {
  for (const std::string& p : report.problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("fsck: a clean store, staging files ignored") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  REQUIRE(store->Tag(MakeImage(*store, {"a", "b"}), Ref("one")));
  REQUIRE(store->Tag(MakeImage(*store, {"a"}, "2021-01-01T00:00:00Z"), Ref("two")));
  REQUIRE(testing::PutFile(t / "tmp/.tmp-partial", "half a blob"));
  auto report = Fsck(*store);
  REQUIRE(report);
  CHECK(report->ok());
  CHECK(report->blobs == 6);  // 2 distinct layers + 2 configs + 2 manifests
  CHECK(report->images == 2);
}

TEST_CASE("fsck: damage is found and every problem reported") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  Descriptor m1 = MakeImage(*store, {"layer-1"});
  Descriptor m2 = MakeImage(*store, {"layer-2"}, "2021-01-01T00:00:00Z");
  REQUIRE(store->Tag(m1, Ref("one")));
  REQUIRE(store->Tag(m2, Ref("two")));
  auto one = store->Resolve("one");
  auto two = store->Resolve("two");
  REQUIRE(one);
  REQUIRE(two);
  // Corrupt a layer of one, delete the config of two, a stray file, a dangling index entry.
  REQUIRE(testing::PutFile(store->blobs().PathOf(one->manifest.layers[0].digest), "LAYER-1"));
  REQUIRE(::unlink(store->blobs().PathOf(two->manifest.config.digest).c_str()) == 0);
  REQUIRE(testing::PutFile(t / "blobs/sha256/garbage", "?"));
  Descriptor ghost = m1;
  ghost.digest = Digest::Of("ghost");
  REQUIRE(store->UpdateIndex([&](ImageIndex& index) -> Result<void> {
    index.manifests.push_back(ghost);
    return {};
  }));
  auto report = Fsck(*store);
  REQUIRE(report);
  CHECK_FALSE(report->ok());
  CHECK(Mentions(*report, one->manifest.layers[0].digest.str() + ": content does not match"));
  CHECK(Mentions(*report, two->manifest.config.digest.str() + " is missing"));
  CHECK(Mentions(*report, "stray file blobs/sha256/garbage"));
  CHECK(Mentions(*report, ghost.digest.str() + " is missing"));
  CHECK(report->problems.size() == 4);
  CHECK(report->images == 3);
}

TEST_CASE("fsck: a size that disagrees with the descriptor and a duplicated name") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  Descriptor m1 = MakeImage(*store, {"x"});
  Descriptor m2 = MakeImage(*store, {"y"}, "2021-01-01T00:00:00Z");
  REQUIRE(store->UpdateIndex([&](ImageIndex& index) -> Result<void> {
    Descriptor a = m1, b = m2;
    a.size += 1;
    a.annotations[std::string(kAnnotationRefName)] = "docker.io/library/dup:1";
    b.annotations[std::string(kAnnotationRefName)] = "docker.io/library/dup:1";
    index.manifests = {a, b};
    return {};
  }));
  auto report = Fsck(*store);
  REQUIRE(report);
  CHECK(Mentions(*report, "descriptor says"));
  CHECK(Mentions(*report, "docker.io/library/dup:1 names both"));
}

}  // namespace
}  // namespace builder::oci
