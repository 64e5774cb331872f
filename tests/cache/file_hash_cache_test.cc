// Tests for FileHashCache: stat-cache hits, Merkle tree digests, ignores, symlinks, persistence.
#include "cache/file_hash_cache.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "../oci/temp_tree.h"
#include "base/sha256.h"
#include "base/unique_fd.h"

namespace builder::cache {
namespace {

using oci::testing::PutFile;
using oci::testing::SetMtime;
using oci::testing::TempDir;

/// Files count as settled at once, so tests need not wait out the racy window.
constexpr FileHashCache::Options kNoRacyWindow{std::chrono::nanoseconds(-1'000'000'000'000'000'000),
                                               std::chrono::nanoseconds(-1'000'000'000'000'000'000)};
/// Every file just written is racy, whatever its filesystem's timestamps.
constexpr FileHashCache::Options kLongRacyWindow{std::chrono::hours(1), std::chrono::hours(1)};

struct Context {
  TempDir dir;
  UniqueFd fd;
  Context() {
    REQUIRE(::mkdir((dir / "src").c_str(), 0755) == 0);
    REQUIRE(PutFile(dir / "src/main.c", "int main() {}\n"));
    REQUIRE(PutFile(dir / "src/util.c", "void util() {}\n"));
    REQUIRE(PutFile(dir / "README", "hello\n"));
    // Old mtimes, so that a rewrite in the same clock tick still changes the stat.
    for (const char* p : {"src/main.c", "src/util.c", "README"}) SetMtime(dir / p, 1600000000);
    fd.Reset(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd);
  }
};

struct Store {
  TempDir dir;
  oci::ImageStore store;
  Store() : store(*oci::ImageStore::Open(dir.path())) {}
};

TEST_CASE("file hash cache: HashFile is the content sha256 - errors") {
  Context c;
  FileHashCache cache(kNoRacyWindow);
  auto h = cache.HashFile(c.fd.get(), "src/main.c");
  REQUIRE(h);
  CHECK(*h == Sha256Hex("int main() {}\n"));
  CHECK(cache.files_read() == 1);
  auto again = cache.HashFile(c.fd.get(), "./src//main.c");
  REQUIRE(again);
  CHECK(*again == *h);
  CHECK(cache.files_read() == 1);  // served from the stat cache

  CHECK(cache.HashFile(c.fd.get(), "nope").error().code() == ErrorCode::kNotFound);
  CHECK(cache.HashFile(c.fd.get(), "src").error().code() == ErrorCode::kInvalidArgument);
  CHECK(cache.HashFile(c.fd.get(), "../etc/passwd").error().code() == ErrorCode::kInvalidArgument);
  REQUIRE(::symlink("main.c", (c.dir / "src/link").c_str()) == 0);
  CHECK(cache.HashFile(c.fd.get(), "src/link").error().code() == ErrorCode::kInvalidArgument);
  REQUIRE(::symlink("src", (c.dir / "srclink").c_str()) == 0);
  CHECK(!cache.HashFile(c.fd.get(), "srclink/main.c"));  // no symlinked parents
}

TEST_CASE("file hash cache: an unchanged context is not read again, even after a reload") {
  Context c;
  Store s;
  std::string digest;
  {
    auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
    REQUIRE(cache);
    auto tree = cache->HashTree(c.fd.get(), ".");
    REQUIRE(tree);
    digest = tree->digest;
    CHECK(cache->files_read() == 3);
    auto again = cache->HashTree(c.fd.get(), ".");
    REQUIRE(again);
    CHECK(again->digest == digest);
    CHECK(cache->files_read() == 3);
    REQUIRE(cache->Save());
  }
  auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
  REQUIRE(cache);
  CHECK(cache->size() == 3);
  auto tree = cache->HashTree(c.fd.get(), ".");
  REQUIRE(tree);
  CHECK(tree->digest == digest);
  CHECK(cache->files_read() == 0);

  // Another context path has its own cache file.
  auto other = FileHashCache::Open(s.store, c.dir.path() + "-other", kNoRacyWindow);
  REQUIRE(other);
  CHECK(other->size() == 0);
}

TEST_CASE("file hash cache: Save rewrites the file only when entries changed") {
  Context c;
  Store s;
  const std::string dir = s.dir / "cache/filehash";
  auto only_file_inode = [&]() -> ino_t {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".bin") names.push_back(e.path());
    }
    REQUIRE(names.size() == 1);
    struct stat st;
    REQUIRE(::stat(names[0].c_str(), &st) == 0);
    return st.st_ino;
  };
  {
    auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
    REQUIRE(cache);
    REQUIRE(cache->HashTree(c.fd.get(), "."));
    REQUIRE(cache->Save());
  }
  const ino_t first = only_file_inode();
  {
    auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
    REQUIRE(cache);
    REQUIRE(cache->HashTree(c.fd.get(), "."));
    REQUIRE(cache->Save());
  }
  CHECK(only_file_inode() == first);  // unchanged context: no rewrite (a rewrite renames)
  REQUIRE(::unlink((c.dir / "README").c_str()) == 0);
  {
    auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
    REQUIRE(cache);
    REQUIRE(cache->HashTree(c.fd.get(), "."));
    REQUIRE(cache->Save());
    CHECK(cache->size() == 2);
  }
  CHECK(only_file_inode() != first);  // a vanished file is forgotten and saved
}

TEST_CASE("file hash cache: an unchanged tree's digest comes from the memo, without entries") {
  Context c;
  Store s;
  HashTreeOptions digest_only;
  digest_only.need_entries = false;
  std::string full_digest;
  {
    auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
    REQUIRE(cache);
    // Nothing memoized yet: the full summary even when entries are not needed.
    auto first = cache->HashTree(c.fd.get(), ".", digest_only);
    REQUIRE(first);
    CHECK_FALSE(first->elided);
    CHECK(first->entries.size() == 4);
    full_digest = first->digest;
    REQUIRE(cache->Save());
  }
  {
    auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
    REQUIRE(cache);
    auto memo = cache->HashTree(c.fd.get(), ".", digest_only);
    REQUIRE(memo);
    CHECK(memo->elided);
    CHECK(memo->entries.empty());
    CHECK(memo->digest == full_digest);
    CHECK(cache->files_read() == 0);
    // Asked for entries, the same tree is summarized in full.
    auto full = cache->HashTree(c.fd.get(), ".");
    REQUIRE(full);
    CHECK_FALSE(full->elided);
    CHECK(full->digest == full_digest);
    CHECK(full->entries.size() == 4);
    // Another root is another memo entry.
    auto sub = cache->HashTree(c.fd.get(), "src", digest_only);
    REQUIRE(sub);
    CHECK_FALSE(sub->elided);
  }
  // A same-size rewrite with the old mtime still changes ctime: no memo hit, new digest.
  REQUIRE(PutFile(c.dir / "src/main.c", "int main() {1}\n"));
  SetMtime(c.dir / "src/main.c", 1600000000);
  auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
  REQUIRE(cache);
  auto changed = cache->HashTree(c.fd.get(), ".", digest_only);
  REQUIRE(changed);
  CHECK_FALSE(changed->elided);
  CHECK(changed->digest != full_digest);
  CHECK(cache->files_read() == 1);
}

TEST_CASE("file hash cache: a tree with racy files is never memoized") {
  Context c;
  // The files' ctimes are fresh, so their hashes are not settled.
  FileHashCache cache(kLongRacyWindow);
  HashTreeOptions digest_only;
  digest_only.need_entries = false;
  auto first = cache.HashTree(c.fd.get(), ".", digest_only);
  REQUIRE(first);
  auto second = cache.HashTree(c.fd.get(), ".", digest_only);
  REQUIRE(second);
  CHECK_FALSE(second->elided);
  CHECK(second->digest == first->digest);
  CHECK(cache.files_read() == 6);  // read twice: racy hashes are not served either
}

TEST_CASE("file hash cache: one and several threads give the same summary") {
  Context c;
  for (int d = 0; d < 8; ++d) {
    std::string dir = c.dir / ("d" + std::to_string(d));
    REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
    for (int f = 0; f < 20; ++f) REQUIRE(PutFile(dir + "/f" + std::to_string(f), std::to_string(d * f)));
  }
  FileHashCache one(kNoRacyWindow), four(kNoRacyWindow);
  HashTreeOptions serial;
  serial.threads = 1;
  HashTreeOptions parallel;
  parallel.threads = 4;
  auto a = one.HashTree(c.fd.get(), ".", serial);
  auto b = four.HashTree(c.fd.get(), ".", parallel);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->entries.size() == 4 + 8 * 21);
  CHECK(*a == *b);
}

TEST_CASE("file hash cache: on_read counts the content read, nothing for cached hashes") {
  Context c;
  FileHashCache cache(kNoRacyWindow);
  std::uint64_t bytes = 0;
  HashTreeOptions options;
  options.on_read = [&](std::uint64_t n) { bytes += n; };
  REQUIRE(cache.HashTree(c.fd.get(), ".", options));
  CHECK(bytes == std::string("int main() {}\n").size() + std::string("void util() {}\n").size() +
                     std::string("hello\n").size());
  bytes = 0;
  REQUIRE(cache.HashTree(c.fd.get(), "src", options));
  CHECK(bytes == 0);  // every hash served from the stat cache
}

TEST_CASE("file hash cache: recently changed files are neither served nor saved") {
  Context c;
  Store s;
  {
    auto cache = FileHashCache::Open(s.store, c.dir.path(), kLongRacyWindow);
    REQUIRE(cache);
    REQUIRE(cache->HashTree(c.fd.get(), "."));
    CHECK(cache->files_read() == 3);
    REQUIRE(cache->HashTree(c.fd.get(), "."));
    CHECK(cache->files_read() == 6);  // ctimes are fresh: a same-tick rewrite could hide
    REQUIRE(cache->Save());
  }
  auto cache = FileHashCache::Open(s.store, c.dir.path());
  REQUIRE(cache);
  CHECK(cache->size() == 0);  // just written: not trusted by the next build
}

TEST_CASE("file hash cache: sub-second timestamps use the fine racy window") {
  Context c;  // ext4/tmpfs here: the fresh ctimes have nanoseconds
  struct stat st;
  REQUIRE(::stat((c.dir / "README").c_str(), &st) == 0);
  if (st.st_ctim.tv_nsec == 0) return;  // a whole-second ctime by chance: nothing to show
  FileHashCache fine({std::chrono::hours(1), std::chrono::nanoseconds(-1'000'000'000)});
  REQUIRE(fine.HashFile(c.fd.get(), "README"));
  REQUIRE(fine.HashFile(c.fd.get(), "README"));
  CHECK(fine.files_read() == 1);  // settled by the fine window despite the hour-long coarse one
  FileHashCache coarse({std::chrono::nanoseconds(-1'000'000'000), std::chrono::hours(1)});
  REQUIRE(coarse.HashFile(c.fd.get(), "README"));
  REQUIRE(coarse.HashFile(c.fd.get(), "README"));
  CHECK(coarse.files_read() == 2);  // the fine window applies, and it is an hour here
}

TEST_CASE("file hash cache: mtime-only touch keeps the digest, re-reading once") {
  Context c;
  FileHashCache cache(kNoRacyWindow);
  auto before = cache.HashTree(c.fd.get(), ".");
  REQUIRE(before);
  SetMtime(c.dir / "src/main.c", 1500000000);
  auto after = cache.HashTree(c.fd.get(), ".");
  REQUIRE(after);
  CHECK(after->digest == before->digest);
  CHECK(after->entries == before->entries);
  CHECK(cache.files_read() == 4);
  REQUIRE(cache.HashTree(c.fd.get(), "."));
  CHECK(cache.files_read() == 4);
}

TEST_CASE("file hash cache: one changed byte changes the digest and is named") {
  Context c;
  FileHashCache cache(kNoRacyWindow);
  auto before = cache.HashTree(c.fd.get(), ".");
  REQUIRE(before);
  REQUIRE(PutFile(c.dir / "src/main.c", "int main() {}\r"));  // same size
  auto after = cache.HashTree(c.fd.get(), ".");
  REQUIRE(after);
  CHECK(after->digest != before->digest);
  std::size_t total = 0;
  auto changes = DiffTrees(*before, *after, 5, &total);
  REQUIRE(changes.size() == 1);
  CHECK(total == 1);
  CHECK(changes[0].path == "src/main.c");
  CHECK(changes[0].kind == PathChange::Kind::kChanged);
  CHECK(DescribeChanges(changes, total) == "src/main.c changed");
}

TEST_CASE("file hash cache: mode changes count, file and directory roots") {
  Context c;
  FileHashCache cache(kNoRacyWindow);
  auto before = cache.HashTree(c.fd.get(), "src");
  REQUIRE(before);
  CHECK(before->entries.size() == 2);
  CHECK(before->entries.contains("main.c"));
  REQUIRE(::chmod((c.dir / "src/util.c").c_str(), 0755) == 0);
  auto after = cache.HashTree(c.fd.get(), "src");
  REQUIRE(after);
  CHECK(after->digest != before->digest);
  CHECK(cache.files_read() == 3);  // ctime changed: util.c re-read once

  auto file = cache.HashTree(c.fd.get(), "README");
  REQUIRE(file);
  CHECK(file->entries.size() == 1);
  CHECK(file->entries.contains("."));
  // Same content and mode under another name: the same single-entry tree.
  REQUIRE(PutFile(c.dir / "README2", "hello\n"));
  auto file2 = cache.HashTree(c.fd.get(), "README2");
  REQUIRE(file2);
  CHECK(file2->digest == file->digest);
  CHECK(cache.HashTree(c.fd.get(), "missing").error().code() == ErrorCode::kNotFound);
}

TEST_CASE("file hash cache: symlinks are hashed as links, never followed") {
  Context c;
  REQUIRE(::symlink("main.c", (c.dir / "src/link").c_str()) == 0);
  REQUIRE(::symlink("/etc", (c.dir / "src/etc").c_str()) == 0);
  FileHashCache cache(kNoRacyWindow);
  auto before = cache.HashTree(c.fd.get(), "src");
  REQUIRE(before);
  CHECK(before->entries.size() == 4);
  CHECK(cache.files_read() == 2);  // only main.c and util.c were read
  // Changing what a link points to does not change the tree; changing the link does.
  REQUIRE(PutFile(c.dir / "src/main.c", "changed"));
  auto after = cache.HashTree(c.fd.get(), "src");
  REQUIRE(after);
  std::size_t total = 0;
  auto changes = DiffTrees(*before, *after, 5, &total);
  REQUIRE(total == 1);
  CHECK(changes[0].path == "main.c");
  REQUIRE(::unlink((c.dir / "src/link").c_str()) == 0);
  REQUIRE(::symlink("util.c", (c.dir / "src/link").c_str()) == 0);
  auto relinked = cache.HashTree(c.fd.get(), "src");
  REQUIRE(relinked);
  changes = DiffTrees(*after, *relinked, 5, &total);
  REQUIRE(total == 1);
  CHECK(changes[0].path == "link");
  // A symlink root is the link itself.
  auto root = cache.HashTree(c.fd.get(), "src/etc");
  REQUIRE(root);
  CHECK(root->entries.size() == 1);
  // A symlinked directory on the way is refused rather than followed.
  REQUIRE(::symlink("src", (c.dir / "srclink").c_str()) == 0);
  CHECK(!cache.HashTree(c.fd.get(), "srclink/main.c"));
}

TEST_CASE("file hash cache: ignored paths are excluded via the callback") {
  Context c;
  REQUIRE(::mkdir((c.dir / "node_modules").c_str(), 0755) == 0);
  REQUIRE(PutFile(c.dir / "node_modules/big.js", "x"));
  REQUIRE(PutFile(c.dir / "src/secret.key", "k"));
  FileHashCache cache(kNoRacyWindow);
  std::vector<std::string> asked;
  HashTreeOptions options;
  options.ignore = [&](std::string_view path, bool) -> Result<bool> {
    asked.emplace_back(path);
    return path == "node_modules" || path.ends_with(".key");
  };
  auto tree = cache.HashTree(c.fd.get(), ".", options);
  REQUIRE(tree);
  CHECK(!tree->entries.contains("node_modules"));
  CHECK(!tree->entries.contains("node_modules/big.js"));
  CHECK(!tree->entries.contains("src/secret.key"));
  CHECK(tree->entries.contains("src/main.c"));
  CHECK(std::find(asked.begin(), asked.end(), "node_modules/big.js") == asked.end());
  // Changing an ignored file does not change the digest.
  REQUIRE(PutFile(c.dir / "src/secret.key", "other key"));
  auto again = cache.HashTree(c.fd.get(), ".", options);
  REQUIRE(again);
  CHECK(again->digest == tree->digest);
  // Paths given to the callback are context-relative even for a subtree.
  asked.clear();
  REQUIRE(cache.HashTree(c.fd.get(), "src", options));
  CHECK(std::find(asked.begin(), asked.end(), "src/main.c") != asked.end());
  // Errors from the callback propagate.
  options.ignore = [](std::string_view, bool) -> Result<bool> {
    return Fail(ErrorCode::kParse, "bad pattern");
  };
  CHECK(cache.HashTree(c.fd.get(), ".", options).error().code() == ErrorCode::kParse);
}

TEST_CASE("file hash cache: ignored directories may be walked for re-included files") {
  Context c;
  REQUIRE(::mkdir((c.dir / "docs").c_str(), 0755) == 0);
  REQUIRE(::mkdir((c.dir / "docs/sub").c_str(), 0755) == 0);
  REQUIRE(PutFile(c.dir / "docs/keep.md", "k"));
  REQUIRE(PutFile(c.dir / "docs/drop.md", "d"));
  REQUIRE(::mkdir((c.dir / "logs").c_str(), 0755) == 0);
  REQUIRE(PutFile(c.dir / "logs/a.log", "a"));
  FileHashCache cache(kNoRacyWindow);
  HashTreeOptions options;
  options.descend_ignored_dirs = true;
  options.ignore = [](std::string_view path, bool) -> Result<bool> {  // "docs", "logs", "!docs/keep.md"
    if (path == "docs/keep.md") return false;
    return path.starts_with("docs") || path.starts_with("logs");
  };
  auto tree = cache.HashTree(c.fd.get(), ".", options);
  REQUIRE(tree);
  CHECK(tree->entries.contains("docs"));  // parent of a re-included file
  CHECK(tree->entries.contains("docs/keep.md"));
  CHECK(!tree->entries.contains("docs/drop.md"));
  CHECK(!tree->entries.contains("docs/sub"));
  CHECK(!tree->entries.contains("logs"));
  CHECK(!tree->entries.contains("logs/a.log"));
}

TEST_CASE("file hash cache: special files are not opened - odd names survive a reload") {
  Context c;
  Store s;
  REQUIRE(::mkfifo((c.dir / "src/fifo").c_str(), 0600) == 0);
  const std::string odd = "src/caf\xe9%41";  // not UTF-8, and a '%'
  REQUIRE(PutFile(c.dir / odd, "latin1"));
  std::string digest;
  {
    auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
    REQUIRE(cache);
    auto tree = cache->HashTree(c.fd.get(), ".");  // would hang if the fifo were opened
    REQUIRE(tree);
    CHECK(tree->entries.contains("src/fifo"));
    CHECK(tree->entries.contains(odd));
    digest = tree->digest;
    REQUIRE(cache->Save());
    auto text = TreeSummary::Parse(tree->Serialize());
    REQUIRE(text);
    CHECK(*text == *tree);
  }
  auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
  REQUIRE(cache);
  auto tree = cache->HashTree(c.fd.get(), ".");
  REQUIRE(tree);
  CHECK(tree->digest == digest);
  CHECK(cache->files_read() == 0);
}

TEST_CASE("file hash cache: a damaged cache file is ignored - deleted files are forgotten") {
  Context c;
  Store s;
  {
    auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
    REQUIRE(cache);
    REQUIRE(cache->HashTree(c.fd.get(), "."));
    REQUIRE(::unlink((c.dir / "src/util.c").c_str()) == 0);
    REQUIRE(cache->HashTree(c.fd.get(), "."));
    CHECK(cache->size() == 2);
    REQUIRE(cache->Save());
  }
  std::string path = s.dir.path() + "/cache/filehash/" + Sha256Hex(c.dir.path()) + ".bin";
  REQUIRE(PutFile(path, "builder-filehash\ntruncated"));
  auto cache = FileHashCache::Open(s.store, c.dir.path(), kNoRacyWindow);
  REQUIRE(cache);
  CHECK(cache->size() == 0);
  REQUIRE(cache->HashTree(c.fd.get(), "."));
  CHECK(cache->files_read() == 2);
}

TEST_CASE("file hash cache: shared between threads") {
  Context c;
  FileHashCache cache(kNoRacyWindow);
  std::vector<std::string> digests(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < digests.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 20; ++round) {
        auto tree = cache.HashTree(c.fd.get(), i % 2 ? "src" : ".");
        auto file = cache.HashFile(c.fd.get(), "src/main.c");
        if (tree && file) digests[i] = tree->digest;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(digests[0] == digests[2]);
  CHECK(digests[1] == digests[3]);
  CHECK(!digests[0].empty());
  CHECK(cache.files_read() == 3);  // each file read once in all
}

TEST_CASE("tree summary: diff lists adds, removes and changes in path order") {
  TreeSummary a{"d1", {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"e", "5"}}};
  TreeSummary b{"d2", {{"a", "1"}, {"b", "X"}, {"d", "4"}, {"e", "5"}, {"f", "6"}}};
  std::size_t total = 0;
  auto changes = DiffTrees(a, b, 2, &total);
  CHECK(total == 4);
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].path == "b");
  CHECK(changes[1].path == "c");
  CHECK(changes[1].kind == PathChange::Kind::kRemoved);
  CHECK(DescribeChanges(changes, total) == "b changed, c removed and 2 more");
  CHECK(DiffTrees(a, a).empty());
  CHECK(!TreeSummary::Parse("[]"));
  CHECK(TreeSummary::Parse("{").error().code() == ErrorCode::kParse);
  CHECK(TreeSummary::Parse("{\"digest\":\"x\",\"entries\":{\"%zz\":\"1\"}}").error().code() ==
        ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace builder::cache
