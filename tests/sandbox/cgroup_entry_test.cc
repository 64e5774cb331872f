// StartInCgroup on the real kernel: the child is born in every hierarchy, the caller stays home.
#include "sandbox/cgroup_entry.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <string>

#include "base/path.h"

namespace builder::sandbox {
namespace {

std::string UniqueName(const char* what) {
  return std::string("builder-test/entry-") + what + "-" + std::to_string(::getpid());
}

void Park(const void*) {
  ::pause();
  ::_exit(0);
}

// "4:memory:/a/b" lines, the same set for two processes: same cgroups in every hierarchy.
std::string CgroupsOf(const std::string& pid) { return ReadFile("/proc/" + pid + "/cgroup").value_or(""); }

void CheckStartsInside(const CgroupLimits& limits, const char* what) {
  auto cg = Cgroup::Create(UniqueName(what), limits);
  if (!cg) {
    MESSAGE("skipped: cannot create cgroups: " << cg.error().ToString());
    return;
  }
  const std::string home_before = CgroupsOf("thread-self");
  {
    auto child = StartInCgroup(&*cg, 0, &Park, nullptr);
    REQUIRE_MESSAGE(child, (child ? "" : child.error().ToString()));
    auto pids = cg->Pids();
    REQUIRE(pids);
    CHECK(*pids == std::vector<pid_t>{child->pid()});
    auto of = Cgroup::OfProcess(child->pid());
    REQUIRE(of);
    CHECK(of->dirs() == cg->dirs());
    // The caller went back where it was in every hierarchy.
    CHECK(CgroupsOf("thread-self") == home_before);
  }  // the child is killed and reaped here
  REQUIRE(cg->Remove());
}

TEST_CASE("StartInCgroup: the child starts inside, the caller stays outside") {
  CheckStartsInside({}, "plain");
}

TEST_CASE("StartInCgroup: a pids limit of 1 (no room for the caller too) still places the child") {
  CgroupLimits limits;
  limits.pids_max = 1;
  CheckStartsInside(limits, "pids1");
}

TEST_CASE("StartInCgroup without a cgroup is a plain start") {
  auto child = StartInCgroup(nullptr, 0, &Park, nullptr);
  REQUIRE(child);
  CHECK(CgroupsOf(std::to_string(child->pid())) == CgroupsOf("self"));
}

}  // namespace
}  // namespace builder::sandbox
