// Tests for entry-name cleaning and openat2 confinement.
#include "oci/safe_path.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>

#include "temp_tree.h"

namespace builder::oci {
namespace {

TEST_CASE("CleanEntryName") {
  CHECK(CleanEntryName("a/b").value() == "a/b");
  CHECK(CleanEntryName("./a//b/").value() == "a/b");
  CHECK(CleanEntryName("/etc/passwd").value() == "etc/passwd");
  CHECK(CleanEntryName("a/../b").value() == "b");
  CHECK(CleanEntryName("./").value() == ".");
  CHECK(CleanEntryName("/").value() == ".");
  for (std::string bad : {std::string(".."), std::string("../x"), std::string("a/../../x"),
                          std::string("/../x"), std::string(""), std::string("a\0b", 3),
                          std::string(5000, 'a'), std::string(300, 'b') + "/c"}) {
    CAPTURE(bad);
    auto r = CleanEntryName(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::kCorrupt);
  }
  CHECK(CleanEntryName("../x").error().message().find("escapes the root") != std::string::npos);
}

TEST_CASE("OpenInRoot keeps symlinks inside the root") {
  char tmpl[] = "/tmp/builder-safe-path-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  std::string dir = tmpl;
  REQUIRE(mkdir((dir + "/root").c_str(), 0755) == 0);
  REQUIRE(mkdir((dir + "/outside").c_str(), 0755) == 0);
  REQUIRE(symlink((dir + "/outside").c_str(), (dir + "/root/abs").c_str()) == 0);
  REQUIRE(symlink("../outside", (dir + "/root/rel").c_str()) == 0);
  int root = open((dir + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(root >= 0);

  // Confined: both links are re-rooted, so the outside dir is not reachable.
  CHECK_FALSE(OpenInRoot(root, "abs/f", O_WRONLY | O_CREAT, 0644));
  // "../outside" from the root means root/outside, which does not exist.
  auto rel = OpenInRoot(root, "rel", O_PATH | O_DIRECTORY);
  REQUIRE_FALSE(rel);
  CHECK(rel.error().sys_errno() == ENOENT);

  // No symlinks at all.
  auto nosym = OpenInRoot(root, "rel/x", O_PATH, 0, kResolveBeneath | kResolveNoSymlinks);
  REQUIRE_FALSE(nosym);
  CHECK(nosym.error().sys_errno() == ELOOP);

  close(root);
  std::system(("rm -rf " + dir).c_str());
}

// A root with in-root and escaping symlinks, next to an "outside" directory with a canary.
struct LinkFarm {
  testing::TempDir t;
  int root = -1;
  LinkFarm() {
    for (const char* d : {"root", "outside", "root/usr", "root/usr/lib", "root/etc", "root/a",
                          "root/a/b", "root/var"})
      REQUIRE(mkdir((t / d).c_str(), 0755) == 0);
    REQUIRE(testing::PutFile(t / "root/usr/file", "f"));
    REQUIRE(testing::PutFile(t / "outside/canary", "c"));
    const std::pair<const char*, const char*> links[] = {
        {"lib", "usr/lib"},          {"var/run", "/run"},        {"etc2", "/etc"},
        {"a/b/up", "../../usr"},     {"a/b/esc", "../../../etc"}, {"esc-rel", "../outside"},
        {"dotdot", ".."},            {"a/root", ".."},           {"abs-dotdot", "/../etc"},
        {"chain1", "chain2"},        {"chain2", "a/b/esc"},      {"chain-ok", "lib"},
        {"a/b/toroot", "/"},         {"a/b/phys", "toroot/.."},  {"loop1", "loop2"},
        {"loop2", "loop1"},          {"self", "self"},           {"a/b/deep", "../../a/b/up/lib"},
    };
    for (auto [name, target] : links)
      REQUIRE(symlink(target, (t / ("root/" + std::string(name))).c_str()) == 0);
    // A chain of exactly kMaxSymlinkFollows links from n1, one more from n0.
    for (int i = 0; i < kMaxSymlinkFollows; ++i) {
      const std::string from = t / ("root/n" + std::to_string(i));
      REQUIRE(symlink(("n" + std::to_string(i + 1)).c_str(), from.c_str()) == 0);
    }
    REQUIRE(symlink("usr", (t / ("root/n" + std::to_string(kMaxSymlinkFollows))).c_str()) == 0);
    root = open((t / "root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(root >= 0);
  }
  ~LinkFarm() { close(root); }
};

TEST_CASE("ResolveDirInRoot follows in-root symlinks and refuses escaping ones") {
  LinkFarm f;
  struct Case {
    const char* path;
    bool create;
    const char* want;  // the physical path, or a substring of the error
    bool ok;
  };
  const Case cases[] = {
      {".", false, ".", true},
      {"usr/lib", false, "usr/lib", true},
      {"lib", false, "usr/lib", true},                // relative, in root
      {"/lib", false, "usr/lib", true},               // the path itself is root-relative
      {"etc2", false, "etc", true},                   // absolute target: the image root
      {"a/b/up", false, "usr", true},                 // climbs exactly to the root, not above
      {"a/root", false, ".", true},
      {"chain-ok", false, "usr/lib", true},           // link to link
      {"a/b/deep", false, "usr/lib", true},           // .. then through two more links
      {"lib/..", false, "usr", true},                 // physical .. after a link, like the kernel
      {"n1", false, "usr", true},                     // exactly kMaxSymlinkFollows links
      {"var/run/x/y", true, "run/x/y", true},         // created below a dangling absolute link
      {"a/b/esc", false, "\"a/b/esc\" (-> \"../../../etc\") which points outside", false},
      {"a/b/esc/x", true, "\"a/b/esc\"", false},
      {"esc-rel", false, "\"esc-rel\" (-> \"../outside\") which points outside", false},
      {"esc-rel/x", true, "points outside the root", false},
      {"dotdot", false, "\"dotdot\" (-> \"..\") which points outside", false},
      {"abs-dotdot", false, "\"abs-dotdot\" (-> \"/../etc\") which points outside", false},
      {"chain1", false, "through symlink \"a/b/esc\"", false},  // blame the link that climbs
      {"chain1/x", true, "through symlink \"a/b/esc\"", false},
      {"a/b/phys", false, "through symlink \"a/b/phys\"", false},  // .. taken at the root
      {"loop1", false, "symlinks to follow", false},
      {"self/x", true, "symlinks to follow", false},
      {"n0", false, "symlinks to follow", false},     // one link too many
      {"../outside", false, "escapes the root", false},
      {"usr/../../outside", true, "escapes the root", false},
  };
  for (const Case& c : cases) {
    const std::string path = c.path;
    CAPTURE(path);
    auto r = ResolveDirInRoot(f.root, c.path, c.create);
    if (c.ok) {
      REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
      CHECK(r->path == c.want);
      struct stat via_fd, via_path;
      REQUIRE(fstat(r->fd.get(), &via_fd) == 0);
      REQUIRE(stat((f.t / ("root/" + r->path)).c_str(), &via_path) == 0);
      CHECK(via_fd.st_ino == via_path.st_ino);
    } else {
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::kCorrupt);
      CHECK_MESSAGE(r.error().ToString().find(c.want) != std::string::npos, r.error().ToString());
    }
  }
  auto loop = ResolveDirInRoot(f.root, "loop1", false);
  REQUIRE_FALSE(loop);
  CHECK(loop.error().sys_errno() == ELOOP);
  // Nothing was created outside, nor under the escaping names.
  CHECK(access((f.t / "outside/x").c_str(), F_OK) != 0);
  CHECK(access((f.t / "root/x").c_str(), F_OK) != 0);
  CHECK(access((f.t / "etc/x").c_str(), F_OK) != 0);
  CHECK(testing::GetFile(f.t / "outside/canary") == "c");
}

TEST_CASE("ResolveDirInRoot: missing and non-directory components keep their errno") {
  LinkFarm f;
  auto missing = ResolveDirInRoot(f.root, "usr/nope/x", false);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().sys_errno() == ENOENT);
  CHECK(access((f.t / "root/usr/nope").c_str(), F_OK) != 0);
  auto dangling = ResolveDirInRoot(f.root, "var/run", false);  // /run does not exist (yet)
  REQUIRE_FALSE(dangling);
  CHECK(dangling.error().sys_errno() == ENOENT);
  auto file = ResolveDirInRoot(f.root, "usr/file/x", true);
  REQUIRE_FALSE(file);
  CHECK(file.error().sys_errno() == ENOTDIR);
  auto made = ResolveDirInRoot(f.root, "d/e/f", true, 0700);
  REQUIRE(made);
  struct stat st;
  REQUIRE(stat((f.t / "root/d/e").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("ResolveDirInRoot resumes from an earlier result and notices a stale one") {
  LinkFarm f;
  auto lib = ResolveDirInRoot(f.root, "lib", false);
  REQUIRE(lib);
  CHECK(lib->name == "lib");
  auto below = ResolveDirInRoot(f.root, "lib/x/y", true, 0755, &*lib);
  REQUIRE(below);
  CHECK(below->path == "usr/lib/x/y");
  CHECK(below->name == "lib/x/y");
  auto up = ResolveDirInRoot(f.root, "lib/..", false, 0755, &*lib);  // physical, from usr/lib
  REQUIRE(up);
  CHECK(up->path == "usr");
  auto unrelated = ResolveDirInRoot(f.root, "libx", true, 0755, &*lib);  // not below "lib"
  REQUIRE(unrelated);
  CHECK(unrelated->path == "libx");
  auto esc = ResolveDirInRoot(f.root, "a/b/esc/z", true, 0755, &*lib);
  REQUIRE_FALSE(esc);
  CHECK(esc.error().ToString().find("points outside the root") != std::string::npos);
  auto root = ResolveDirInRoot(f.root, "/", false);
  REQUIRE(root);
  CHECK(root->name == ".");
  auto from_root = ResolveDirInRoot(f.root, "etc2", false, 0755, &*root);
  REQUIRE(from_root);
  CHECK(from_root->path == "etc");

  // "a" is replaced behind the caller's back: the walk resumes in the old directory, the
  // kernel's lookup finds the new one, and the call fails rather than answer either.
  auto a = ResolveDirInRoot(f.root, "a", false);
  REQUIRE(a);
  REQUIRE(rename((f.t / "root/a").c_str(), (f.t / "root/a-old").c_str()) == 0);
  REQUIRE(mkdir((f.t / "root/a").c_str(), 0755) == 0);
  REQUIRE(mkdir((f.t / "root/a/b").c_str(), 0755) == 0);
  auto stale = ResolveDirInRoot(f.root, "a/b", false, 0755, &*a);
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code() == ErrorCode::kCorrupt);
  CHECK(stale.error().ToString().find("resolved differently") != std::string::npos);
}

TEST_CASE("ResolveDirInRoot refuses /proc magic links even where the walk accepts them") {
  // In /proc/self, "root" is a magic link whose text is "/": the walk reads it as the root,
  // but the kernel's RESOLVE_NO_MAGICLINKS check has the last word.
  int proc_self = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(proc_self >= 0);
  auto r = ResolveDirInRoot(proc_self, "root", false);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kCorrupt);
  CHECK(r.error().sys_errno() == ELOOP);
  CHECK(r.error().ToString().find("magic link") != std::string::npos);
  close(proc_self);
}

}  // namespace
}  // namespace builder::oci
