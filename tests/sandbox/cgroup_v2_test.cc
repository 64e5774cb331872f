// Cgroup on a pure cgroup v2 layout, faked: this project's machines mount the memory, cpu and
// pids controllers on v1 (a hybrid, and their v1 hierarchies hold cgroups, so the controllers
// cannot move to the unified tree), while users' laptops run v2 only. A temp dir plays the
// cgroup2 mount (with the interface files the kernel would make) and its /proc files, so the
// real Create/Open/OfProcess/limits/OOM code runs against v2's file names and formats.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>

#include "base/path.h"
#include "sandbox/cgroup.h"
#include "sandbox_fixture.h"

namespace builder::sandbox {
namespace {

using testing::TempDir;

void Put(const std::string& path, const std::string& text) {
  REQUIRE(MakeDirs(DirName(path), 0755));
  REQUIRE(WriteFileAtomic(path, text));
}

std::string Get(const std::string& path) {
  auto text = ReadFile(path);
  return text ? *text : "<missing>";
}

// The cgroup2 mount at <tmp>/cg and /proc at <tmp>/proc. This process sits in a login
// session's scope, which holds processes: v2 lets it enable no controller for children (its
// cgroup.subtree_control is a directory here, so writing it fails as the kernel's EBUSY would).
// `leaf_files`: the interface files of builder/<leaf> that its parents' controllers give it.
struct FakeV2 {
  TempDir tmp;
  std::string cg = tmp / "cg";

  FakeV2() {
    Put(tmp / "proc/self/mountinfo",
        "24 1 0:22 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
        "35 24 0:30 / " + cg + " rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n");
    Put(tmp / "proc/self/cgroup", "0::/user.slice/session-1.scope\n");
    Put(cg + "/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
    Put(cg + "/cgroup.subtree_control", "");
    REQUIRE(MakeDirs(cg + "/user.slice/session-1.scope/cgroup.subtree_control", 0755));
    Put(cg + "/user.slice/session-1.scope/cgroup.procs", "1\n");
    SetCgroupProcRootForTesting(tmp / "proc");
  }
  ~FakeV2() { SetCgroupProcRootForTesting("/proc"); }

  void Leaf(const std::string& name, bool with_pids) {
    const std::string dir = cg + "/builder/" + name;
    Put(cg + "/builder/cgroup.subtree_control", "");
    for (const char* f : {"memory.max", "memory.swap.max", "cpu.max", "cgroup.procs", "memory.current"})
      Put(dir + "/" + f, "");
    if (with_pids) Put(dir + "/pids.max", "");
    Put(dir + "/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
    Put(dir + "/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
  }
};

CgroupLimits Limits() {
  CgroupLimits l;
  l.memory_bytes = 32 << 20;
  l.cpu_quota_us = 50000;
  l.cpu_period_us = 100000;
  l.pids_max = 64;
  return l;
}

TEST_CASE("cgroup v2: DetectCgroups reads a v2-only layout and its controllers") {
  FakeV2 fake;
  auto info = DetectCgroups();
  REQUIRE(info);
  CHECK(info->version == CgroupVersion::kV2);
  CHECK(info->ToString() == "v2");
  for (const char* c : {"cpu", "memory", "pids"}) {
    CHECK(std::find(info->controllers.begin(), info->controllers.end(), c) != info->controllers.end());
  }
}

TEST_CASE("cgroup v2: Create goes under the root, enables controllers down to it, writes the limits") {
  FakeV2 fake;
  fake.Leaf("ctr1", true);
  auto cg = Cgroup::Create("builder/ctr1", Limits());
  REQUIRE_MESSAGE(cg, (cg ? "" : cg.error().ToString()));
  const std::string leaf = fake.cg + "/builder/ctr1";
  // Not under the session scope, whose controllers cannot be enabled for children.
  REQUIRE(cg->dirs().size() == 1);
  CHECK(cg->dirs()[0] == leaf);
  // Each parent's subtree_control was written (one write per controller, the last "+pids");
  // the leaf's not: a cgroup with processes may not have any.
  CHECK(Get(fake.cg + "/cgroup.subtree_control").starts_with("+pids"));
  CHECK(Get(fake.cg + "/builder/cgroup.subtree_control").starts_with("+pids"));
  CHECK(Get(leaf + "/cgroup.subtree_control") == "<missing>");
  CHECK(Get(leaf + "/memory.max") == "33554432");
  CHECK(Get(leaf + "/memory.swap.max") == "0");  // swap is no way around the limit
  CHECK(Get(leaf + "/cpu.max") == "50000 100000");
  CHECK(Get(leaf + "/pids.max") == "64");

  REQUIRE(cg->AddProcess(4242));
  CHECK(Get(leaf + "/cgroup.procs") == "4242");
  CHECK(cg->Pids().value_or(std::vector<pid_t>{}) == std::vector<pid_t>{4242});
  Put(leaf + "/memory.current", "12345\n");
  CHECK(cg->MemoryUsage().value_or(0) == 12345);
  CHECK(cg->CpuUsageNs().value_or(0) == 1500000);
  CHECK_FALSE(cg->OomKilled());
  // memory.events counts the kernel's OOM kills in the cgroup (oom alone is not a kill).
  Put(leaf + "/memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 0\n");
  CHECK_FALSE(cg->OomKilled());
  Put(leaf + "/memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 1\noom_group_kill 0\n");
  CHECK(cg->OomKilled());
}

TEST_CASE("cgroup v2: Open and OfProcess from another process find the controllers") {
  FakeV2 fake;
  fake.Leaf("ctr1", true);
  REQUIRE(Cgroup::Create("builder/ctr1", Limits()));
  const std::string leaf = fake.cg + "/builder/ctr1";
  Put(leaf + "/memory.current", "777\n");
  Put(leaf + "/memory.events", "oom 1\noom_kill 1\n");

  auto opened = Cgroup::Open("builder/ctr1");
  REQUIRE(opened);
  CHECK(opened->dirs() == std::vector<std::string>{leaf});
  CHECK(opened->MemoryUsage().value_or(0) == 777);
  CHECK(opened->OomKilled());

  // The container's init as /proc/<pid>/cgroup shows it (exec and stats start from this).
  Put(fake.tmp / "proc/4242/cgroup", "0::/builder/ctr1\n");
  auto of = Cgroup::OfProcess(4242);
  REQUIRE(of);
  CHECK(of->dirs() == std::vector<std::string>{leaf});
  CHECK(of->name() == "builder/ctr1");
  CHECK(of->MemoryUsage().value_or(0) == 777);
  CHECK(of->OomKilled());
  CHECK(Cgroup::Open("builder/nope").error().code() == ErrorCode::kNotFound);
}

TEST_CASE("cgroup v2: a limit whose controller is not enabled is kUnsupported, nothing left") {
  FakeV2 fake;
  fake.Leaf("ctr2", false);  // pids not in the parents' subtree_control: no pids.max
  CgroupLimits limits;
  limits.pids_max = 10;
  auto cg = Cgroup::Create("builder/ctr3", limits);  // a fresh leaf: no interface files at all
  REQUIRE_FALSE(cg);
  CHECK(cg.error().code() == ErrorCode::kUnsupported);
  CHECK(cg.error().ToString().find("pids") != std::string::npos);
  CHECK_FALSE(testing::Exists(fake.cg + "/builder/ctr3"));
  CHECK(testing::Exists(fake.cg + "/builder/ctr2"));  // not ours to remove
}

}  // namespace
}  // namespace builder::sandbox
