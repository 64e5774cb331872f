// Tests for layer unpacking: round trips, whiteouts, verification and hostile layers.
#include "oci/layer_unpacker.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "oci/layer_writer.h"
#include "temp_tree.h"

namespace builder::oci {
namespace {

using testing::Exists;
using testing::GetFile;
using testing::MakeSampleTree;
using testing::PutFile;
using testing::Snapshot;
using testing::TempDir;

// Writes `root` as a layer blob into an unlinked temp file; returns the fd (at offset 0).
UniqueFd MakeBlob(const std::string& root, Compression c, LayerDigests* digests,
                  LayerWriteOptions options = {}) {
  char tmpl[] = "/tmp/builder-blob-XXXXXX";
  UniqueFd fd(mkstemp(tmpl));
  REQUIRE(fd);
  unlink(tmpl);
  auto w = LayerBlobWriter::Create(fd.get(), {.compression = c});
  REQUIRE(w);
  auto stats = WriteLayer(root, options, **w);
  REQUIRE_MESSAGE(stats, (stats ? "" : stats.error().ToString()));
  auto d = (*w)->Finish();
  REQUIRE(d);
  if (digests) *digests = *d;
  lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

// One ustar entry: type '0' file (data), '2' symlink / '1' hardlink (link), '5' directory.
struct TarEntry {
  std::string name;
  char type;
  std::string data_or_link;
};

// A plain tar, written by hand so the entry order and spelling are exactly as given (a tree
// on disk could not hold "lib/x" under a symlink lib).
UniqueFd MakeTar(const std::vector<TarEntry>& entries) {
  std::string out;
  for (const TarEntry& e : entries) {
    REQUIRE(e.name.size() < 100);
    std::string h(512, '\0');
    auto put = [&](std::size_t off, const std::string& v) { h.replace(off, v.size(), v); };
    auto octal = [](unsigned long v, int width) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "%0*lo", width - 1, v);
      return std::string(buf);
    };
    const bool file = e.type == '0';
    put(0, e.name);
    put(100, octal(e.type == '5' ? 0755 : 0644, 8));
    put(108, octal(0, 8));
    put(116, octal(0, 8));
    put(124, octal(file ? e.data_or_link.size() : 0, 12));
    put(136, octal(1600000000, 12));
    h[156] = e.type;
    if (!file) put(157, e.data_or_link);
    put(257, std::string("ustar\0", 6));
    put(263, "00");
    h.replace(148, 8, 8, ' ');
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    put(148, octal(sum, 7));
    out += h;
    if (file) {
      out += e.data_or_link;
      out.append((512 - e.data_or_link.size() % 512) % 512, '\0');
    }
  }
  out.append(1024, '\0');
  char tmpl[] = "/tmp/builder-tar-XXXXXX";
  UniqueFd fd(mkstemp(tmpl));
  REQUIRE(fd);
  unlink(tmpl);
  REQUIRE(write(fd.get(), out.data(), out.size()) == static_cast<ssize_t>(out.size()));
  lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

Result<UnpackResult> Unpack(int blob, Compression c, const LayerExpectation& expect,
                            const std::string& target) {
  return UnpackLayer(blob, c, expect, target);
}

TEST_CASE("round trip: write a tree, unpack it, same lstat view") {
  TempDir t;
  REQUIRE(mkdir((t / "src").c_str(), 0755) == 0);
  MakeSampleTree(t / "src");
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kNone}) {
    CAPTURE(CompressionName(c));
    LayerDigests d;
    UniqueFd blob = MakeBlob(t / "src", c, &d);
    const std::string dst = t / ("dst-" + std::string(CompressionName(c)));
    REQUIRE(mkdir(dst.c_str(), 0755) == 0);
    auto r = Unpack(blob.get(), c, {d.digest, d.diff_id}, dst);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
    CHECK(r->digests.digest == d.digest);
    CHECK(r->entries == 12);
    auto want = Snapshot(t / "src");
    auto got = Snapshot(dst);
    CHECK(want.size() == got.size());
    for (const auto& [path, line] : want) {
      CAPTURE(path);
      CHECK(got[path] == line);
    }
  }
}

TEST_CASE("ownership and setuid survive when privileged, a warning otherwise") {
  TempDir t;
  REQUIRE(mkdir((t / "src").c_str(), 0755) == 0);
  REQUIRE(PutFile(t / "src/f", "x", 04755));
  const bool can_chown = chown((t / "src/f").c_str(), 1234, 5678) == 0;
  if (!can_chown) MESSAGE("chown not permitted: ownership subcase reduced");
  REQUIRE(chmod((t / "src/f").c_str(), 04755) == 0);
  UniqueFd blob = MakeBlob(t / "src", Compression::kGzip, nullptr);
  REQUIRE(mkdir((t / "dst").c_str(), 0755) == 0);
  auto r = Unpack(blob.get(), Compression::kGzip, {}, t / "dst");
  REQUIRE(r);
  struct stat st;
  REQUIRE(lstat((t / "dst/f").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 04755);
  if (can_chown) {
    CHECK(st.st_uid == 1234);
    CHECK(st.st_gid == 5678);
    CHECK(r->warnings.empty());
  } else {
    // Entries owned by root cannot be chowned: extraction goes on with one warning.
    UniqueFd root_owned(open(BUILDER_TESTDATA_DIR "/hostile-layers/absolute-names.tar",
                             O_RDONLY | O_CLOEXEC));
    REQUIRE(root_owned);
    REQUIRE(mkdir((t / "dst2").c_str(), 0755) == 0);
    auto r2 = Unpack(root_owned.get(), Compression::kNone, {}, t / "dst2");
    REQUIRE(r2);
    REQUIRE(r2->warnings.size() == 1);
    CHECK(r2->warnings[0].find("ownership not preserved") != std::string::npos);
  }
}

TEST_CASE("read-only directories are filled first and get their mode last") {
  TempDir t;
  REQUIRE(mkdir((t / "src").c_str(), 0755) == 0);
  REQUIRE(mkdir((t / "src/ro").c_str(), 0755) == 0);
  REQUIRE(PutFile(t / "src/ro/f", "in a read-only dir"));
  REQUIRE(chmod((t / "src/ro").c_str(), 0555) == 0);
  testing::SetMtime(t / "src/ro", 1234567890);
  UniqueFd blob = MakeBlob(t / "src", Compression::kGzip, nullptr);
  REQUIRE(mkdir((t / "dst").c_str(), 0755) == 0);
  auto r = Unpack(blob.get(), Compression::kGzip, {}, t / "dst");
  REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
  struct stat st;
  REQUIRE(lstat((t / "dst/ro").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0555);
  CHECK(st.st_mtim.tv_sec == 1234567890);
  CHECK(GetFile(t / "dst/ro/f") == "in a read-only dir");
}

TEST_CASE("deep trees are written, unpacked and whited out without recursion") {
  TempDir t;
  const int kDepth = 700;  // 1400-byte paths; deep enough to matter, inside PATH_MAX
  REQUIRE(mkdir((t / "src").c_str(), 0755) == 0);
  int fd = open((t / "src").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  for (int i = 0; i < kDepth; ++i) {
    REQUIRE(mkdirat(fd, "a", 0755) == 0);
    int next = openat(fd, "a", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(fd);
    fd = next;
    REQUIRE(fd >= 0);
  }
  int file = openat(fd, "leaf", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(file >= 0);
  close(file);
  close(fd);
  UniqueFd blob = MakeBlob(t / "src", Compression::kZstd, nullptr);
  REQUIRE(mkdir((t / "dst").c_str(), 0755) == 0);
  auto r = Unpack(blob.get(), Compression::kZstd, {}, t / "dst");
  REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
  CHECK(r->entries == kDepth + 1);
  std::string leaf = t / "dst";
  for (int i = 0; i < kDepth; ++i) leaf += "/a";
  CHECK(Exists(leaf + "/leaf"));
  // A second layer whiting out the top removes the whole chain.
  REQUIRE(mkdir((t / "wh").c_str(), 0755) == 0);
  REQUIRE(PutFile(t / "wh/.wh.a", ""));
  UniqueFd wh = MakeBlob(t / "wh", Compression::kGzip, nullptr);
  auto r2 = Unpack(wh.get(), Compression::kGzip, {}, t / "dst");
  REQUIRE_MESSAGE(r2, (r2 ? "" : r2.error().ToString()));
  CHECK_FALSE(Exists(t / "dst/a"));
}

TEST_CASE("whiteouts and opaque dirs apply to the lower state only") {
  TempDir t;
  const std::string dst = t / "dst";
  // Lower state.
  for (const char* d : {"dst", "dst/a", "dst/opq", "dst/opq/sub", "dst/del", "dst/del/x", "dst/b"})
    REQUIRE(mkdir((t / d).c_str(), 0755) == 0);
  REQUIRE(PutFile(dst + "/a/keep", "k"));
  REQUIRE(PutFile(dst + "/a/gone", "g"));
  REQUIRE(PutFile(dst + "/opq/old", "o"));
  REQUIRE(PutFile(dst + "/opq/sub/deep", "d"));
  REQUIRE(PutFile(dst + "/del/x/y", "y"));
  // The layer, spelled with plain ".wh." files (written as-is, no overlay conversion).
  const std::string src = t / "src";
  for (const char* d : {"src", "src/a", "src/opq", "src/b"}) REQUIRE(mkdir((t / d).c_str(), 0755) == 0);
  REQUIRE(PutFile(src + "/a/.wh.gone", ""));
  REQUIRE(PutFile(src + "/opq/.wh..wh..opq", ""));
  REQUIRE(PutFile(src + "/opq/-new", "n"));  // sorts before the marker
  REQUIRE(PutFile(src + "/opq/new", "n"));
  REQUIRE(PutFile(src + "/.wh.del", ""));
  REQUIRE(PutFile(src + "/b/mine", "m"));
  REQUIRE(PutFile(src + "/b/.wh.mine", ""));  // same layer: must not hide b/mine
  REQUIRE(PutFile(src + "/.wh.absent", ""));  // nothing to remove: fine
  UniqueFd blob = MakeBlob(src, Compression::kGzip, nullptr);
  auto r = Unpack(blob.get(), Compression::kGzip, {}, dst);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
  CHECK(Exists(dst + "/a/keep"));
  CHECK_FALSE(Exists(dst + "/a/gone"));
  CHECK_FALSE(Exists(dst + "/opq/old"));
  CHECK_FALSE(Exists(dst + "/opq/sub"));
  CHECK(GetFile(dst + "/opq/new") == "n");
  CHECK(GetFile(dst + "/opq/-new") == "n");
  CHECK_FALSE(Exists(dst + "/del"));
  CHECK(GetFile(dst + "/b/mine") == "m");
  for (const auto& [path, line] : Snapshot(dst)) {
    CAPTURE(path);
    CHECK(path.find(".wh.") == std::string::npos);
  }
}

TEST_CASE("whiteouts and opaque markers resolve their directory through in-root symlinks") {
  TempDir t;
  const std::string dst = t / "dst";
  for (const char* d : {"dst", "dst/usr", "dst/usr/lib", "dst/usr/lib/sub", "dst/var", "dst/run"})
    REQUIRE(mkdir((t / d).c_str(), 0755) == 0);
  REQUIRE(PutFile(dst + "/usr/lib/old", "o"));
  REQUIRE(PutFile(dst + "/usr/lib/keep", "k"));
  REQUIRE(PutFile(dst + "/usr/lib/sub/deep", "d"));
  REQUIRE(PutFile(dst + "/run/stale", "s"));
  REQUIRE(symlink("usr/lib", (dst + "/lib").c_str()) == 0);
  REQUIRE(symlink("/run", (dst + "/var/run").c_str()) == 0);
  UniqueFd tar = MakeTar({
      {"lib/.wh.old", '0', ""},         // removes usr/lib/old
      {"lib/new", '0', "n"},            // this layer's, spelled through the link...
      {"usr/lib/.wh.new", '0', ""},     // ...so a whiteout of its real path spares it
      {"lib/sub/x", '0', "x"},
      {"usr/lib/.wh.sub", '0', ""},     // keeps sub (it holds x) but removes sub/deep
      {"var/run/fresh", '0', "f"},
      {"var/run/.wh..wh..opq", '0', ""},  // empties run/ of lower content only
  });
  auto r = Unpack(tar.get(), Compression::kNone, {}, dst);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
  CHECK_FALSE(Exists(dst + "/usr/lib/old"));
  CHECK(GetFile(dst + "/usr/lib/keep") == "k");
  CHECK(GetFile(dst + "/usr/lib/new") == "n");
  CHECK(GetFile(dst + "/usr/lib/sub/x") == "x");
  CHECK_FALSE(Exists(dst + "/usr/lib/sub/deep"));
  CHECK(GetFile(dst + "/run/fresh") == "f");
  CHECK_FALSE(Exists(dst + "/run/stale"));
  struct stat st;
  REQUIRE(lstat((dst + "/lib").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  REQUIRE(lstat((dst + "/var/run").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
}

TEST_CASE("hard links resolve their target through in-root symlinks, never a final one") {
  TempDir t;
  const std::string dst = t / "dst";
  for (const char* d : {"dst", "dst/usr", "dst/usr/bin"})
    REQUIRE(mkdir((t / d).c_str(), 0755) == 0);
  REQUIRE(PutFile(dst + "/usr/bin/tool", "t"));
  REQUIRE(symlink("/usr/bin", (dst + "/bin").c_str()) == 0);
  REQUIRE(symlink("usr/bin/tool", (dst + "/tool-link").c_str()) == 0);
  UniqueFd tar = MakeTar({
      {"h1", '1', "bin/tool"},      // bin -> /usr/bin: the file usr/bin/tool
      {"h2", '1', "tool-link"},     // the symlink itself, not what it points to
      {"bin/h3", '1', "/bin/tool"}, // both sides through the link
      {"h4", '1', "bin"},           // a symlink to a directory is still not a directory
      {"h5", '1', "usr/bin/h3"},    // ...and h3 landed in usr/bin
  });
  auto r = Unpack(tar.get(), Compression::kNone, {}, dst);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
  struct stat st;
  REQUIRE(lstat((dst + "/usr/bin/tool").c_str(), &st) == 0);
  CHECK(st.st_nlink == 4);  // tool, h1, h3, h5 (h2 is not among them)
  REQUIRE(lstat((dst + "/h2").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  REQUIRE(lstat((dst + "/h4").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));

  // A directory reached through a link is refused, as is a target missing behind a link.
  REQUIRE(mkdir((dst + "/usr/bin/subdir").c_str(), 0755) == 0);
  UniqueFd dir_tar = MakeTar({{"d", '1', "bin/subdir"}});
  auto dir = Unpack(dir_tar.get(), Compression::kNone, {}, dst);
  REQUIRE_FALSE(dir);
  CHECK(dir.error().code() == ErrorCode::kCorrupt);
  CHECK(dir.error().ToString().find("is a directory") != std::string::npos);
  UniqueFd missing_tar = MakeTar({{"m", '1', "bin/nope"}});
  auto missing = Unpack(missing_tar.get(), Compression::kNone, {}, dst);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().ToString().find("does not exist") != std::string::npos);
}

TEST_CASE("overlay upper dir end to end: whiteout devices and opaque xattr") {
  TempDir t;
  const std::string up = t / "upper";
  REQUIRE(mkdir(up.c_str(), 0755) == 0);
  REQUIRE(mkdir((up + "/o").c_str(), 0755) == 0);
  REQUIRE(PutFile(up + "/o/new", "n"));
  const bool opaque_ok = setxattr((up + "/o").c_str(), "user.overlay.opaque", "y", 1, 0) == 0;
  const bool mknod_ok = mknod((up + "/gone").c_str(), S_IFCHR | 0600, makedev(0, 0)) == 0;
  if (!mknod_ok) MESSAGE("mknod of a 0/0 whiteout not permitted: whiteout subcase skipped");
  if (!opaque_ok) MESSAGE("user xattrs unsupported: opaque subcase skipped");
  const std::string dst = t / "dst";
  REQUIRE(mkdir(dst.c_str(), 0755) == 0);
  REQUIRE(mkdir((dst + "/o").c_str(), 0755) == 0);
  REQUIRE(PutFile(dst + "/o/old", "o"));
  REQUIRE(PutFile(dst + "/gone", "g"));
  UniqueFd blob = MakeBlob(up, Compression::kZstd, nullptr, {.overlay_upper = true});
  auto r = Unpack(blob.get(), Compression::kZstd, {}, dst);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
  CHECK(GetFile(dst + "/o/new") == "n");
  if (opaque_ok) CHECK_FALSE(Exists(dst + "/o/old"));
  if (mknod_ok) CHECK_FALSE(Exists(dst + "/gone"));
  // The overlay xattr is not carried into the unpacked tree.
  char v[4];
  CHECK(getxattr((dst + "/o").c_str(), "user.overlay.opaque", v, sizeof v) < 0);
}

TEST_CASE("digest and diff_id verification") {
  TempDir t;
  REQUIRE(mkdir((t / "src").c_str(), 0755) == 0);
  REQUIRE(PutFile(t / "src/f", "content"));
  LayerDigests d;
  UniqueFd blob = MakeBlob(t / "src", Compression::kGzip, &d);
  REQUIRE(mkdir((t / "dst").c_str(), 0755) == 0);
  auto bad = Unpack(blob.get(), Compression::kGzip,
                    {Digest::Parse("sha256:" + std::string(64, 'a')).value(), {}}, t / "dst");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::kCorrupt);
  CHECK(bad.error().message().find("digest mismatch") != std::string::npos);
  lseek(blob.get(), 0, SEEK_SET);
  auto bad_diff = Unpack(blob.get(), Compression::kGzip,
                         {d.digest, Digest::Parse("sha256:" + std::string(64, 'b')).value()},
                         t / "dst");
  REQUIRE_FALSE(bad_diff);
  CHECK(bad_diff.error().message().find("diff_id mismatch") != std::string::npos);
  lseek(blob.get(), 0, SEEK_SET);
  auto good = Unpack(blob.get(), Compression::kGzip, {d.digest, d.diff_id}, t / "dst");
  REQUIRE(good);
  CHECK(good->digests.diff_id == d.diff_id);
  // The wrong compression is not a tar.
  lseek(blob.get(), 0, SEEK_SET);
  auto wrong = Unpack(blob.get(), Compression::kNone, {}, t / "dst");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code() == ErrorCode::kCorrupt);
}

// Everything under `dir` except the target subtree.
std::map<std::string, std::string> Outside(const std::string& dir) {
  auto all = Snapshot(dir);
  std::map<std::string, std::string> out;
  for (auto& [p, line] : all)
    if (p != "target" && p.rfind("target/", 0) != 0) out[p] = line;
  return out;
}

TEST_CASE("hostile layers are rejected and nothing outside the target changes") {
  const std::string dir = std::string(BUILDER_TESTDATA_DIR) + "/hostile-layers";
  std::ifstream tsv(dir + "/expect.tsv");
  REQUIRE(tsv);
  int cases = 0, errors = 0;
  // symlink-abs-etc.tar writes etc2/passwd through etc2 -> /etc: the host's file must not move.
  struct stat host_passwd_before {};
  const bool have_passwd = lstat("/etc/passwd", &host_passwd_before) == 0;
  const std::string host_passwd = have_passwd ? GetFile("/etc/passwd") : "";
  for (std::string line; std::getline(tsv, line);) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string file, comp, digest, expect;
    std::getline(fields, file, '\t');
    std::getline(fields, comp, '\t');
    std::getline(fields, digest, '\t');
    std::getline(fields, expect, '\t');
    CAPTURE(file);
    ++cases;
    Compression c = comp == "gzip" ? Compression::kGzip
                    : comp == "zstd" ? Compression::kZstd
                                     : Compression::kNone;
    TempDir t;
    REQUIRE(PutFile(t / "canary.txt", "canary"));
    REQUIRE(mkdir((t / "canary-dir").c_str(), 0755) == 0);
    REQUIRE(PutFile(t / "canary-dir/inner", "inner"));
    REQUIRE(symlink((t / "canary.txt").c_str(), (t / "outside-link").c_str()) == 0);
    REQUIRE(mkdir((t / "target").c_str(), 0755) == 0);
    REQUIRE(symlink("../canary-dir", (t / "target/lower-link").c_str()) == 0);
    testing::SetMtime(t / "canary.txt", 1500000000);
    testing::SetMtime(t / "canary-dir", 1500000000);
    const auto before = Outside(t.path());

    UniqueFd blob(open((dir + "/" + file).c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(blob);
    LayerExpectation expectation;
    if (digest != "-") expectation.digest = Digest::Parse(digest).value();
    auto r = UnpackLayer(blob.get(), c, expectation, t / "target");
    if (expect == "ok") {
      CHECK_MESSAGE(r, (r ? "" : r.error().ToString()));
    } else {
      ++errors;
      REQUIRE_FALSE(r);
      INFO(r.error().ToString());
      CHECK(r.error().code() == ErrorCode::kCorrupt);
      CHECK(r.error().ToString().find(expect) != std::string::npos);
    }
    CHECK(GetFile(t / "canary.txt") == "canary");
    CHECK(Outside(t.path()) == before);
    CHECK_FALSE(Exists("/tmp/builder-hostile-pwned"));
    CHECK_FALSE(Exists(t / "escape.txt"));
    if (file == "absolute-names.tar") CHECK(GetFile(t / "target/abs/file") == "inside");
    if (file == "symlink-then-file.tar") CHECK(GetFile(t / "target/evil").size() > 10);
    if (file == "dir-then-file.tar") CHECK(GetFile(t / "target/x") == "file");
    if (file == "device-node.tar" && r) {
      struct stat st;
      const bool made = lstat((t / "target/dev/null").c_str(), &st) == 0 && S_ISCHR(st.st_mode);
      bool warned = false;
      for (const auto& w : r->warnings) warned |= w.find("skipped device node") != std::string::npos;
      CHECK((made || warned));
    }
    if (file == "hardlink-to-symlink.tar") {
      struct stat st;
      REQUIRE(lstat((t / "target/h2").c_str(), &st) == 0);
      CHECK(S_ISLNK(st.st_mode));
      CHECK(st.st_nlink == 3);
    }
    if (file == "nul-in-name.tar") CHECK(GetFile(t / "target/ok") == "x");
    if (file == "file-then-dir.tar") CHECK(GetFile(t / "target/x/y") == "y");
    // Symlinked parents inside the root: the entry lands where the link leads, in the target.
    auto is_link = [](const std::string& p) {
      struct stat st;
      return lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
    };
    if (file == "symlink-abs-parent.tar") {
      CHECK(is_link(t / "target/var/run"));
      CHECK(GetFile(t / "target/run/x") == "in run");
    }
    if (file == "symlink-rel-parent.tar") {
      CHECK(is_link(t / "target/lib"));
      CHECK(GetFile(t / "target/usr/lib/libfoo.so") == "elf");
      struct stat st;
      REQUIRE(lstat((t / "target/usr/lib/libfoo.so.1").c_str(), &st) == 0);
      CHECK(st.st_nlink == 2);
    }
    if (file == "symlink-abs-etc.tar") {
      CHECK(is_link(t / "target/etc2"));
      CHECK(GetFile(t / "target/etc/passwd").find(":image:") != std::string::npos);
    }
    if (file == "symlink-abs-root-parent.tar")
      CHECK(GetFile(t / "target/tmp/builder-hostile-pwned") == "inside");
    if (file == "symlink-abs-proc.tar")
      CHECK(GetFile(t / "target/proc/self/root/tmp/builder-hostile-pwned") == "inside");
    if (file == "symlink-replaces-parent.tar") {
      CHECK(is_link(t / "target/d"));
      CHECK(GetFile(t / "target/e/b") == "b");
      CHECK_FALSE(Exists(t / "target/e/a"));
    }
  }
  if (have_passwd) {
    struct stat after;
    REQUIRE(lstat("/etc/passwd", &after) == 0);
    CHECK(after.st_ino == host_passwd_before.st_ino);
    CHECK(after.st_mtim.tv_sec == host_passwd_before.st_mtim.tv_sec);
    CHECK(after.st_mtim.tv_nsec == host_passwd_before.st_mtim.tv_nsec);
    CHECK(GetFile("/etc/passwd") == host_passwd);
  }
  CHECK(errors >= 25);
  CHECK(cases >= errors);
}

}  // namespace
}  // namespace builder::oci
