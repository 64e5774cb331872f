// Tests for TreeMemo: keys that change with any stat field, persistence, bounded size.
#include "cache/tree_memo.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "../oci/temp_tree.h"
#include "base/path.h"
#include "base/sha256.h"

namespace builder::cache {
namespace {

using oci::testing::PutFile;
using oci::testing::TempDir;

std::string Hex(char c) { return std::string(64, c); }

TEST_CASE("tree memo: the key covers root, paths, stats, link targets and the ignored flag") {
  WalkEntry e;
  e.path = "a";
  e.st.st_mode = 0100644;
  e.st.st_size = 3;
  e.st.st_mtim.tv_sec = 10;
  std::vector<WalkEntry> base{e};
  const std::string key = TreeMemoKey(".", base);
  CHECK(key.size() == 64);
  CHECK(TreeMemoKey(".", base) == key);
  CHECK(TreeMemoKey("src", base) != key);
  auto changed = [&](auto edit) {
    std::vector<WalkEntry> copy = base;
    edit(copy[0]);
    return TreeMemoKey(".", copy) != key;
  };
  CHECK(changed([](WalkEntry& x) { x.path = "b"; }));
  CHECK(changed([](WalkEntry& x) { x.st.st_mode = 0100755; }));
  CHECK(changed([](WalkEntry& x) { x.st.st_uid = 1; }));
  CHECK(changed([](WalkEntry& x) { x.st.st_gid = 1; }));
  CHECK(changed([](WalkEntry& x) { x.st.st_size = 4; }));
  CHECK(changed([](WalkEntry& x) { x.st.st_ino = 9; }));
  CHECK(changed([](WalkEntry& x) { x.st.st_dev = 9; }));
  CHECK(changed([](WalkEntry& x) { x.st.st_mtim.tv_nsec = 1; }));
  CHECK(changed([](WalkEntry& x) { x.st.st_ctim.tv_sec = 1; }));
  CHECK(changed([](WalkEntry& x) { x.link_target = "t"; }));
  CHECK(changed([](WalkEntry& x) { x.ignored = true; }));
  // Path/target boundaries are length-prefixed: "ab"+"" differs from "a"+"b".
  std::vector<WalkEntry> ab = base, a_b = base;
  ab[0].path = "ab";
  a_b[0].link_target = "b";
  CHECK(TreeMemoKey(".", ab) != TreeMemoKey(".", a_b));
}

TEST_CASE("tree memo: saved, reloaded, malformed lines dropped, most recent kept") {
  TempDir dir;
  const std::string path = dir / "m.memo";
  REQUIRE(PutFile(path, Hex('a') + " " + Hex('b') + "\nnot a line\n" + Hex('c') + " short\n"));
  TreeMemo memo = TreeMemo::Load(path);
  CHECK(memo.Find(Hex('a')) == Hex('b'));
  CHECK_FALSE(memo.Find(Hex('c')));
  REQUIRE(memo.Save(dir.path()));  // nothing put: not rewritten
  CHECK(*ReadFile(path) == Hex('a') + " " + Hex('b') + "\nnot a line\n" + Hex('c') + " short\n");

  for (std::size_t i = 0; i < TreeMemo::kMaxEntries + 5; ++i) {
    std::string key = Sha256Hex(std::to_string(i));
    memo.Put(key, Hex('d'));
  }
  REQUIRE(memo.Save(dir.path()));
  TreeMemo again = TreeMemo::Load(path);
  CHECK(again.Find(Sha256Hex(std::to_string(TreeMemo::kMaxEntries + 4))) == Hex('d'));  // newest kept
  CHECK_FALSE(again.Find(Sha256Hex(std::to_string(0))));                                // oldest dropped
  CHECK_FALSE(again.Find(Hex('a')));
}

}  // namespace
}  // namespace builder::cache
