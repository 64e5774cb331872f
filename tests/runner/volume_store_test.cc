// VolumeStore: create/get/list/remove/prune, names, in-use tracking and docker's copy-up.
#include "runner/volume_store.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/path.h"
#include "runner_fixture.h"

namespace builder::runner {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

void Put(const std::string& path, const std::string& text, mode_t mode = 0644) {
  std::ofstream(path) << text;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

std::string Get(const std::string& path) {
  auto r = ReadFile(path);
  return r ? *r : "<missing>";
}

struct stat Lstat(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st;
}

TEST_CASE("volume names follow docker's rule") {
  CHECK(IsValidVolumeName("data"));
  CHECK(IsValidVolumeName("a1_b.c-d"));
  CHECK(IsValidVolumeName(std::string(64, 'f')));
  CHECK_FALSE(IsValidVolumeName("a"));  // docker needs two characters
  CHECK_FALSE(IsValidVolumeName(""));
  CHECK_FALSE(IsValidVolumeName(".lock"));
  CHECK_FALSE(IsValidVolumeName("_x"));
  CHECK_FALSE(IsValidVolumeName("a/b"));
  CHECK_FALSE(IsValidVolumeName(".."));
  CHECK_FALSE(IsValidVolumeName("a b"));
  CHECK_FALSE(IsValidVolumeName(std::string(256, 'a')));
}

TEST_CASE("create, get, list and remove a named volume") {
  TempDir root;
  VolumeStore store = *VolumeStore::Open(root.path());
  auto made = store.Create("data", {{"team", "web"}});
  REQUIRE_MESSAGE(made, (made ? "" : made.error().ToString()));
  CHECK(made->name == "data");
  CHECK(made->mountpoint == root.path() + "/volumes/data/_data");
  CHECK_FALSE(made->anonymous);
  CHECK(made->created_at.size() == 20);  // 2024-01-02T03:04:05Z
  CHECK(fs::is_directory(made->mountpoint));
  CHECK(fs::exists(root.path() + "/volumes/data/volume.json"));

  auto got = store.Get("data");
  REQUIRE(got);
  CHECK(got->labels.at("team") == "web");
  CHECK(got->created_at == made->created_at);

  // Creating it again is docker's no-op; with other labels it is a conflict.
  CHECK(store.Create("data"));
  CHECK(store.Create("data", {{"team", "web"}}));
  auto conflict = store.Create("data", {{"team", "db"}});
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().code() == ErrorCode::kAlreadyExists);

  REQUIRE(store.Create("other"));
  auto all = store.List();
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].name == "data");
  CHECK((*all)[1].name == "other");

  REQUIRE(store.Remove("data", false));
  CHECK(store.Get("data").error().code() == ErrorCode::kNotFound);
  CHECK_FALSE(fs::exists(root.path() + "/volumes/data"));
  CHECK(store.Remove("data", false).error().code() == ErrorCode::kNotFound);
  // Nothing hidden left behind: only the lock file and the other volume.
  CHECK(*ListDirectory(root.path() + "/volumes") == std::vector<std::string>{".lock", "other"});
}

TEST_CASE("bad names and options are refused with docker's messages") {
  TempDir root;
  VolumeStore store = *VolumeStore::Open(root.path());
  auto bad = store.Create("../etc");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::kInvalidArgument);
  CHECK(bad.error().ToString().find("invalid characters for a local volume name") != std::string::npos);
  auto key = store.Create("vol", {}, {{"size", "1m"}});
  REQUIRE_FALSE(key);
  CHECK(key.error().ToString().find("invalid option key: \"size\"") != std::string::npos);
  CHECK(store.Create("vol", {}, {{"type", "tmpfs"}}).error().code() == ErrorCode::kUnsupported);
  CHECK(store.Get("../../etc").error().code() == ErrorCode::kNotFound);
  CHECK(store.List()->empty());
}

TEST_CASE("anonymous volumes get a 64-hex name and are what prune takes by default") {
  TempDir root;
  VolumeStore store = *VolumeStore::Open(root.path());
  auto anon = store.Create("");
  REQUIRE(anon);
  CHECK(anon->anonymous);
  CHECK(anon->name.size() == 64);
  CHECK(anon->name.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(store.Create("")->name != anon->name);
  REQUIRE(store.Create("named"));
  Put(anon->mountpoint + "/f", std::string(1000, 'x'));

  std::uint64_t freed = 0;
  auto pruned = store.Prune(false, &freed);
  REQUIRE(pruned);
  CHECK(pruned->size() == 2);
  CHECK(freed >= 1000);
  CHECK(store.Get("named"));
  auto all = store.Prune(true);
  REQUIRE(all);
  CHECK(*all == std::vector<std::string>{"named"});
  CHECK(store.List()->empty());
}

TEST_CASE("a volume in use is kept by rm and prune until its user is gone") {
  TempDir root;
  VolumeStore store = *VolumeStore::Open(root.path());
  REQUIRE(store.Create("busy"));
  REQUIRE(MakeDirs(root.path() + "/containers/c1"));
  REQUIRE(store.AddUser("busy", "c1"));
  REQUIRE(store.AddUser("busy", "c1"));  // twice is once
  CHECK(store.Get("busy")->users == std::vector<std::string>{"c1"});
  auto refused = store.Remove("busy", false);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::kAlreadyExists);
  CHECK(refused.error().ToString().find("volume is in use - [c1]") != std::string::npos);
  CHECK(store.Prune(true)->empty());

  REQUIRE(store.RemoveUser("busy", "c1"));
  REQUIRE(store.RemoveUser("busy", "c1"));
  CHECK(store.Get("busy")->users.empty());
  REQUIRE(store.AddUser("busy", "c1"));
  // A container removed without telling us (a crash) no longer pins the volume.
  fs::remove(root.path() + "/containers/c1");
  CHECK(store.Get("busy")->users.empty());
  REQUIRE(store.Remove("busy", false));
  CHECK(store.AddUser("busy", "c1").error().code() == ErrorCode::kNotFound);

  REQUIRE(store.Create("forced"));
  REQUIRE(MakeDirs(root.path() + "/containers/c2"));
  REQUIRE(store.AddUser("forced", "c2"));
  CHECK(store.Remove("forced", true));
}

TEST_CASE("GetOrCreate makes a missing volume once") {
  TempDir root;
  VolumeStore store = *VolumeStore::Open(root.path());
  auto first = store.GetOrCreate("cache");
  REQUIRE(first);
  Put(first->mountpoint + "/kept", "1");
  auto second = store.GetOrCreate("cache");
  REQUIRE(second);
  CHECK(second->created_at == first->created_at);
  CHECK(Get(second->mountpoint + "/kept") == "1");
}

TEST_CASE("leftover staging and trash dirs of a crash are collected on open") {
  TempDir root;
  REQUIRE(MakeDirs(root.path() + "/volumes/.staging-abc/_data"));
  REQUIRE(MakeDirs(root.path() + "/volumes/.trash-def/_data"));
  VolumeStore store = *VolumeStore::Open(root.path());
  CHECK_FALSE(fs::exists(root.path() + "/volumes/.staging-abc"));
  CHECK_FALSE(fs::exists(root.path() + "/volumes/.trash-def"));
  CHECK(store.List()->empty());
}

TEST_CASE("copy-up fills an empty volume once, keeping modes, links, times and xattrs") {
  TempDir root, image;
  const std::string src = image.path() + "/data";
  REQUIRE(MakeDirs(src + "/sub/deeper"));
  Put(src + "/conf", "hello", 0640);
  Put(src + "/sub/run.sh", "#!/bin/sh\n", 04755);
  REQUIRE(::link((src + "/conf").c_str(), (src + "/sub/conf-link").c_str()) == 0);
  REQUIRE(::symlink("/etc/shadow", (src + "/escape").c_str()) == 0);
  REQUIRE(::symlink("../conf", (src + "/sub/rel").c_str()) == 0);
  REQUIRE(::mkfifo((src + "/fifo").c_str(), 0620) == 0);
  REQUIRE(::chmod((src + "/sub/deeper").c_str(), 0500) == 0);
  REQUIRE(::chmod(src.c_str(), 0770) == 0);
  const bool xattrs = ::setxattr((src + "/conf").c_str(), "user.note", "v1", 2, 0) == 0;
  struct timespec old_times[2] = {{1000000000, 0}, {1000000000, 0}};
  REQUIRE(::utimensat(AT_FDCWD, (src + "/sub").c_str(), old_times, 0) == 0);

  VolumeStore store = *VolumeStore::Open(root.path());
  VolumeInfo vol = *store.Create("filled");
  auto copied = store.CopyUpIfEmpty("filled", src);
  REQUIRE_MESSAGE(copied, (copied ? "" : copied.error().ToString()));
  const std::string& dst = vol.mountpoint;
  CHECK(Get(dst + "/conf") == "hello");
  CHECK((Lstat(dst + "/conf").st_mode & 07777) == 0640);
  CHECK((Lstat(dst + "/sub/run.sh").st_mode & 07777) == 04755);
  CHECK(Lstat(dst + "/conf").st_ino == Lstat(dst + "/sub/conf-link").st_ino);
  CHECK(Lstat(dst + "/conf").st_ino != Lstat(src + "/conf").st_ino);
  CHECK(S_ISLNK(Lstat(dst + "/escape").st_mode));
  CHECK(fs::read_symlink(dst + "/escape") == "/etc/shadow");
  CHECK(fs::read_symlink(dst + "/sub/rel") == "../conf");
  CHECK(S_ISFIFO(Lstat(dst + "/fifo").st_mode));
  CHECK((Lstat(dst + "/sub/deeper").st_mode & 07777) == 0500);
  CHECK((Lstat(dst).st_mode & 07777) == 0770);  // the volume root takes the image dir's mode
  CHECK(Lstat(dst + "/sub").st_mtim.tv_sec == 1000000000);
  CHECK(Lstat(dst + "/conf").st_uid == Lstat(src + "/conf").st_uid);
  if (xattrs) {
    char value[8] = {};
    CHECK(::getxattr((dst + "/conf").c_str(), "user.note", value, sizeof value) == 2);
    CHECK(std::string(value) == "v1");
  }
  CHECK(store.Get("filled")->populated);

  // Populated once: emptied by the user, it stays empty.
  REQUIRE(::unlink((dst + "/conf").c_str()) == 0);
  REQUIRE(store.CopyUpIfEmpty("filled", src));
  CHECK_FALSE(fs::exists(dst + "/conf"));

  // A volume that already holds data is never overwritten.
  VolumeInfo full = *store.Create("full");
  Put(full.mountpoint + "/mine", "keep");
  REQUIRE(store.CopyUpIfEmpty("full", src));
  CHECK_FALSE(fs::exists(full.mountpoint + "/conf"));
  CHECK(Get(full.mountpoint + "/mine") == "keep");

  // A missing image dir copies nothing; a file is an error.
  VolumeInfo none = *store.Create("none");
  REQUIRE(store.CopyUpIfEmpty("none", image.path() + "/missing"));
  CHECK(ListDirectory(none.mountpoint)->empty());
  CHECK(store.Get("none")->populated);
  REQUIRE(store.Create("file"));
  CHECK(store.CopyUpIfEmpty("file", src + "/conf").error().code() == ErrorCode::kInvalidArgument);
  CHECK(store.CopyUpIfEmpty("nope", src).error().code() == ErrorCode::kNotFound);
}

TEST_CASE("copy-up keeps owners when run as root") {
  if (::geteuid() != 0) return;
  TempDir root, image;
  const std::string src = image.path() + "/www";
  REQUIRE(MakeDirs(src));
  Put(src + "/index.html", "hi");
  REQUIRE(::chown((src + "/index.html").c_str(), 33, 33) == 0);
  REQUIRE(::chown(src.c_str(), 33, 34) == 0);
  REQUIRE(::symlink("index.html", (src + "/link").c_str()) == 0);
  REQUIRE(::lchown((src + "/link").c_str(), 35, 36) == 0);
  VolumeStore store = *VolumeStore::Open(root.path());
  VolumeInfo vol = *store.Create("owned");
  REQUIRE(store.CopyUpIfEmpty("owned", src));
  CHECK(Lstat(vol.mountpoint + "/index.html").st_uid == 33);
  CHECK(Lstat(vol.mountpoint).st_uid == 33);
  CHECK(Lstat(vol.mountpoint).st_gid == 34);
  CHECK(Lstat(vol.mountpoint + "/link").st_uid == 35);
  CHECK(Lstat(vol.mountpoint + "/link").st_gid == 36);
}

}  // namespace
}  // namespace builder::runner
