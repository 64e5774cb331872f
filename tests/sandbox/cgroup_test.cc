// Cgroup on the real kernel: creation under our own cgroup, limits, OOM, removal.
#include "sandbox/cgroup.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/path.h"
#include "sandbox/sandbox.h"
#include "sandbox_fixture.h"

namespace builder::sandbox {
namespace {

using testing::BusyboxRoot;
using testing::SkipWithoutSandbox;

std::string UniqueName() { return "builder-test/cg-" + std::to_string(::getpid()); }

bool SkipWithoutCgroups() {
  auto probe = Cgroup::Create(UniqueName() + "-probe", {});
  if (!probe) {
    MESSAGE("skipped: cannot create cgroups: " << probe.error().ToString());
    return true;
  }
  (void)probe->Remove();
  return false;
}

TEST_CASE("cgroup: DetectCgroups names the layout and controllers") {
  auto info = DetectCgroups();
  REQUIRE(info);
  CHECK(info->ToString() != "");
  if (info->version == CgroupVersion::kNone) return;
  CHECK_FALSE(info->controllers.empty());
}

TEST_CASE("cgroup: bad names are refused") {
  CHECK(Cgroup::Create("", {}).error().code() == ErrorCode::kInvalidArgument);
  CHECK(Cgroup::Create("../escape", {}).error().code() == ErrorCode::kInvalidArgument);
  CHECK(Cgroup::Create("/abs", {}).error().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("cgroup: limits are written, processes join, Remove cleans up") {
  if (SkipWithoutCgroups()) return;
  CgroupLimits limits;
  limits.memory_bytes = 64 << 20;
  limits.pids_max = 50;
  limits.cpu_quota_us = 50000;
  auto cg = Cgroup::Create(UniqueName(), limits);
  REQUIRE_MESSAGE(cg, (cg ? "" : cg.error().ToString()));
  bool saw_memory = false, saw_pids = false, saw_cpu = false;
  for (const std::string& dir : cg->dirs()) {
    if (auto v = ReadFile(dir + "/memory.limit_in_bytes")) saw_memory = *v == "67108864\n";
    if (auto v = ReadFile(dir + "/memory.max")) saw_memory = saw_memory || *v == "67108864\n";
    if (auto v = ReadFile(dir + "/pids.max")) saw_pids = *v == "50\n";
    if (auto v = ReadFile(dir + "/cpu.cfs_quota_us")) saw_cpu = *v == "50000\n";
    if (auto v = ReadFile(dir + "/cpu.max")) saw_cpu = saw_cpu || *v == "50000 100000\n";
  }
  CHECK(saw_memory);
  CHECK(saw_pids);
  CHECK(saw_cpu);
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  REQUIRE(cg->AddProcess(child));
  auto pids = cg->Pids();
  REQUIRE(pids);
  CHECK(*pids == std::vector<pid_t>{child});
  auto of = Cgroup::OfProcess(child);
  REQUIRE(of);
  CHECK(of->dirs() == cg->dirs());
  CHECK(of->name() == UniqueName());
  CHECK(cg->MemoryUsage());
  CHECK(cg->CpuUsageNs());
  CHECK_FALSE(cg->Remove());  // busy while the process lives
  ::kill(child, SIGKILL);
  int status;
  ::waitpid(child, &status, 0);
  auto opened = Cgroup::Open(UniqueName());
  REQUIRE(opened);
  CHECK(opened->dirs() == cg->dirs());
  REQUIRE(cg->Remove());
  for (const std::string& dir : opened->dirs()) CHECK(::access(dir.c_str(), F_OK) != 0);
  CHECK(Cgroup::Open(UniqueName()).error().code() == ErrorCode::kNotFound);
}

TEST_CASE("cgroup: a sandbox starts inside its cgroup; the OOM killer is reported") {
  if (SkipWithoutSandbox() || SkipWithoutCgroups()) return;
  BusyboxRoot root;
  SandboxSpec spec = root.Shell("cat /proc/self/cgroup | grep -c ':/$'; "
                                "head -c 100000000 /dev/zero | tail > /dev/null");
  ::symlink("busybox", (root.lower() + "/bin/tail").c_str());
  spec.cgroup_name = UniqueName() + "-oom";
  spec.cgroup_limits.memory_bytes = 16 << 20;
  auto sandbox = Sandbox::Start(spec);
  REQUIRE_MESSAGE(sandbox, (sandbox ? "" : sandbox.error().ToString()));
  REQUIRE(sandbox->cgroup());
  const std::vector<std::string> dirs = sandbox->cgroup()->dirs();
  auto of = Cgroup::OfProcess(sandbox->pid());
  REQUIRE(of);
  CHECK(of->dirs() == dirs);
  auto result = sandbox->Wait();
  REQUIRE(result);
  CHECK(result->oom_killed);
  CHECK(sandbox->oom_killed());
  // Inside its own cgroup namespace every hierarchy reads "/".
  CHECK(std::stoi(root.out()) >= 2);
  for (const std::string& dir : dirs) CHECK(::access(dir.c_str(), F_OK) != 0);
}

}  // namespace
}  // namespace builder::sandbox
