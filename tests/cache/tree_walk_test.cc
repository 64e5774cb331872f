// Tests for WalkTree: path order, lstat only, ignores, errors, and the same answer on any thread count.
#include "cache/tree_walk.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "../oci/temp_tree.h"
#include "base/unique_fd.h"

namespace builder::cache {
namespace {

using oci::testing::PutFile;
using oci::testing::TempDir;

std::vector<std::string> Paths(const std::vector<WalkEntry>& entries) {
  std::vector<std::string> out;
  for (const WalkEntry& e : entries) out.push_back(e.path + (e.ignored ? " (ignored)" : ""));
  return out;
}

struct Tree {
  TempDir dir;
  UniqueFd fd;
  Tree() {
    REQUIRE(::mkdir((dir / "b").c_str(), 0755) == 0);
    REQUIRE(::mkdir((dir / "b/c").c_str(), 0700) == 0);
    REQUIRE(::mkdir((dir / "logs").c_str(), 0755) == 0);
    REQUIRE(PutFile(dir / "a", "a"));
    REQUIRE(PutFile(dir / "b/c/d", "d"));
    REQUIRE(PutFile(dir / "b-", "dash sorts before slash"));
    REQUIRE(PutFile(dir / "logs/x.log", "x"));
    REQUIRE(PutFile(dir / "logs/keep.log", "k"));
    REQUIRE(::symlink("/etc", (dir / "etc-link").c_str()) == 0);
    fd.Reset(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd);
  }
};

TEST_CASE("tree walk: every entry, grouped by directory in byte order; symlinks never followed") {
  Tree t;
  for (unsigned threads : {1u, 2u, 5u}) {
    CAPTURE(threads);
    auto walked = WalkTree(t.fd.get(), ".", {.threads = threads});
    REQUIRE(walked);
    // The root's entries, then b's, b/c's and logs': the same whatever the thread count.
    CHECK(Paths(*walked) == std::vector<std::string>{"a", "b", "b-", "etc-link", "logs", "b/c",
                                                     "b/c/d", "logs/keep.log", "logs/x.log"});
    SortByPath(*walked);
    CHECK(Paths(*walked) == std::vector<std::string>{"a", "b", "b-", "b/c", "b/c/d", "etc-link",
                                                     "logs", "logs/keep.log", "logs/x.log"});
    const WalkEntry& link = (*walked)[5];
    CHECK(S_ISLNK(link.st.st_mode));
    CHECK(link.link_target == "/etc");
    CHECK(S_ISDIR((*walked)[3].st.st_mode));
    CHECK(((*walked)[3].st.st_mode & 07777) == 0700);
  }
  auto sub = WalkTree(t.fd.get(), "b");
  REQUIRE(sub);
  CHECK(Paths(*sub) == std::vector<std::string>{"c", "c/d"});
}

TEST_CASE("tree walk: ignores, and ignored directories walked for re-included entries") {
  Tree t;
  std::vector<std::string> asked;
  TreeWalkOptions skip;
  skip.threads = 1;  // `asked` is not locked
  skip.ignore = [&](std::string_view p, bool) -> Result<bool> {
    asked.emplace_back(p);
    return p == "logs" || (p.starts_with("logs/") && p != "logs/keep.log") || p == "b/c";
  };
  auto pruned = WalkTree(t.fd.get(), ".", skip);
  REQUIRE(pruned);
  SortByPath(*pruned);
  CHECK(Paths(*pruned) == std::vector<std::string>{"a", "b", "b-", "etc-link"});
  skip.descend_ignored_dirs = true;
  // The callback alone decides: b/c/d is not ignored by it (a PatternMatcher would say so).
  auto descended = WalkTree(t.fd.get(), ".", skip);
  REQUIRE(descended);
  SortByPath(*descended);
  CHECK(Paths(*descended) == std::vector<std::string>{"a", "b", "b-", "b/c (ignored)", "b/c/d", "etc-link",
                                                      "logs (ignored)", "logs/keep.log"});
  skip.ignore = [](std::string_view p, bool) -> Result<bool> {
    if (p == "b") return Fail(ErrorCode::kInvalidArgument, "bad pattern");
    return false;
  };
  auto failed = WalkTree(t.fd.get(), ".", skip);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message().find("bad pattern") != std::string::npos);
}

TEST_CASE("tree walk: a missing root is kNotFound; a symlinked root is refused") {
  Tree t;
  auto missing = WalkTree(t.fd.get(), "nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::kNotFound);
  auto link = WalkTree(t.fd.get(), "etc-link");
  REQUIRE_FALSE(link);
  CHECK(link.error().code() != ErrorCode::kNotFound);
}

TEST_CASE("tree walk: ContextPath joins a root and a path below it") {
  CHECK(ContextPath(".", "a") == "a");
  CHECK(ContextPath("a", "b/c") == "a/b/c");
  CHECK(ContextPath("a", ".") == "a");
}

}  // namespace
}  // namespace builder::cache
