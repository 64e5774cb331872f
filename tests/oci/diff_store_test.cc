// Tests for DiffStore: adopting build upper dirs as per-layer diff dirs.
#include "oci/diff_store.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "temp_tree.h"

namespace builder::oci {
namespace {

using testing::TempDir;

TEST_CASE("nothing stored: no diffs/ yet, nothing found") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  DiffStore diffs(*store);
  CHECK(diffs.List()->empty());
  CHECK_FALSE(diffs.Find(Digest::Of("layer")));
}

TEST_CASE("a second dir for a stored diff_id is not adopted; names are checked") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  DiffStore diffs(*store);
  CHECK(diffs.List()->empty());
  Digest id = Digest::Of("layer");
  REQUIRE(::mkdir((t / "a").c_str(), 0755) == 0);
  REQUIRE(::mkdir((t / "b").c_str(), 0755) == 0);
  auto first = diffs.Adopt(t / "a", id);
  auto second = diffs.Adopt(t / "b", id);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(*first == *second);
  CHECK(testing::Exists(t / "b"));  // left to its owner's scratch clean-up
  CHECK_FALSE(diffs.Remove("../x"));
}
}  // namespace
}  // namespace builder::oci
