// Tests for StagingLease: names carry the lease, a live process's lease is held, a dead one's
// is free at once.
#include "base/staging_lease.h"

#include <doctest/doctest.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace builder {
namespace {

std::string TempDir() {
  char dir[] = "/tmp/builder-lease-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  return dir;
}

// The id of the one lease file in dir ("" when there is none).
std::string OnlyLease(const std::string& dir) {
  std::string id;
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (dirent* e = ::readdir(d))
    if (std::string found = LeaseFileId(e->d_name); !found.empty()) id = found;
  ::closedir(d);
  return id;
}

TEST_CASE("StagingTemplate: one lease per dir, named in every template") {
  const std::string dir = TempDir();
  auto a = StagingTemplate(dir, "build");
  auto b = StagingTemplate(dir, ".tmp");
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  const std::string id = OnlyLease(dir);
  REQUIRE(id.size() == 16);
  CHECK(*a == dir + "/build." + id + ".XXXXXX");
  CHECK(StagingLeaseId("build." + id + ".Ab12Cd") == id);
  CHECK(StagingLeaseId(".tmp." + id + ".Ab12Cd") == id);
  CHECK(StagingLeaseId("build-Ab12Cd").empty());
  CHECK(StagingLeaseId(".tmp-XXXXXX").empty());
  CHECK(LeaseFileId("lease.nothex").empty());
  auto live = LeaseIsLive(dir, id);
  REQUIRE(live.has_value());
  CHECK(*live);
  auto missing = LeaseIsLive(dir, "0123456789abcdef");
  REQUIRE(missing.has_value());
  CHECK_FALSE(*missing);
}

TEST_CASE("LeaseIsLive: held while the process lives, free once it is killed") {
  const std::string dir = TempDir();
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    (void)!StagingTemplate(dir, "build").has_value();
    (void)!::write(ready[1], "x", 1);
    ::pause();
    ::_exit(0);
  }
  char c;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  const std::string id = OnlyLease(dir);
  REQUIRE(!id.empty());
  auto live = LeaseIsLive(dir, id);
  REQUIRE(live.has_value());
  CHECK(*live);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  auto dead = LeaseIsLive(dir, id);
  REQUIRE(dead.has_value());
  CHECK_FALSE(*dead);
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace
}  // namespace builder
