// Cgroup: a container's own control group in every v1 hierarchy and in v2, with its limits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "sandbox/sandbox_spec.h"

namespace builder::sandbox {

/// How this machine mounts cgroups (for `builder info`).
enum class CgroupVersion { kNone, kV1, kV2, kHybrid };

struct CgroupInfo {
  CgroupVersion version = CgroupVersion::kNone;
  /// Controllers usable for limits: v1 hierarchies' controllers and v2's cgroup.controllers,
  /// sorted, without duplicates ("cpu", "memory", "pids", ...).
  std::vector<std::string> controllers;
  std::string ToString() const;  ///< "v1", "v2", "hybrid (v1 controllers, v2 at ...)", "none"
};

/// Reads /proc/self/mountinfo and the v2 root's cgroup.controllers.
[[nodiscard]] Result<CgroupInfo> DetectCgroups();

/// Tests only: read self/mountinfo, self/cgroup and <pid>/cgroup under `proc_root` instead of
/// /proc, so a fake cgroupfs tree (a pure v2 layout, on a machine whose controllers are v1)
/// drives the real code. Not thread-safe; "/proc" restores it.
void SetCgroupProcRootForTesting(std::string proc_root);

/// One cgroup named `name` (e.g. "builder/<id>") under this process's own cgroup in each v1
/// hierarchy (except cpuset, whose empty cpus/mems would refuse every process) and in the v2
/// tree (there under the root when this process may write it: v2 enables controllers only
/// below cgroups without processes, and the root). The destructor leaves the directories
/// alone: Remove() deletes them once the processes are gone, so a container outlives the
/// handle of the command that made it.
class Cgroup {
 public:
  Cgroup() = default;

  /// Creates the directories (parents too) and writes `limits`: memory (v1
  /// memory.limit_in_bytes + memory.memsw.limit_in_bytes when the kernel has it, v2 memory.max +
  /// memory.swap.max=0, so swap is no escape), cpu (v1 cpu.cfs_period_us/cfs_quota_us, v2
  /// cpu.max), pids (pids.max). An existing cgroup of that name is reused.
  /// Errors: kInvalidArgument for a bad name; kUnsupported when a directory cannot be created
  /// or a limit's controller is missing (rootless without delegation): the runner warns and runs
  /// without limits. Nothing is left on disk after an error.
  [[nodiscard]] static Result<Cgroup> Create(std::string_view name, const CgroupLimits& limits);
  /// An existing cgroup made by Create (from another process): kNotFound when missing.
  [[nodiscard]] static Result<Cgroup> Open(std::string_view name);

  /// The cgroup `pid` is in now (its /proc/<pid>/cgroup, read from this process's cgroup
  /// namespace), in the same hierarchies Create uses: what `exec` joins and `stats` reads,
  /// from any process. name() is that path relative to this process's own cgroup when below it.
  [[nodiscard]] static Result<Cgroup> OfProcess(pid_t pid);

  /// Moves `pid` (all its threads) into the cgroup in every hierarchy.
  [[nodiscard]] Result<void> AddProcess(pid_t pid) const;
  /// The kernel's OOM killer killed a process here (v2 memory.events oom_kill; v1
  /// memory.oom_control oom_kill, else under_oom).
  bool OomKilled() const;
  [[nodiscard]] Result<uint64_t> MemoryUsage() const;  ///< bytes (memory.current / usage_in_bytes)
  [[nodiscard]] Result<uint64_t> CpuUsageNs() const;   ///< cpu.stat usage_usec / cpuacct.usage
  [[nodiscard]] Result<std::vector<pid_t>> Pids() const;  ///< host pids in cgroup.procs
  /// rmdir of every directory, then of the parents Create made that are now empty.
  /// Fails (kIo, EBUSY) while a process is still inside.
  [[nodiscard]] Result<void> Remove();

  const std::string& name() const { return name_; }
  /// Every cgroup directory (absolute host paths), one per hierarchy.
  const std::vector<std::string>& dirs() const { return dirs_; }
  /// This process's own cgroup directory in the hierarchy of each entry of dirs().
  const std::vector<std::string>& homes() const { return homes_; }
  /// The directory holding each controller's files ("" when no hierarchy has it); v2_dir() is
  /// the v2 tree's (cgroup.freeze, cgroup.events), which may have no controllers (hybrid).
  const std::string& memory_dir() const { return memory_; }
  const std::string& pids_dir() const { return pids_; }
  const std::string& blkio_dir() const { return blkio_; }
  const std::string& freezer_dir() const { return freezer_; }
  const std::string& v2_dir() const { return v2_; }

 private:
  /// v2 files stand in for controllers no v1 hierarchy has (v2 only, or v2 with controllers).
  void AdoptV2Controllers();

  std::string name_;
  std::vector<std::string> dirs_;
  std::vector<std::string> bases_;  ///< where dirs_ were made (Remove climbs to it), per entry
  std::vector<std::string> homes_;  ///< this process's own cgroup dir, per entry of dirs_
  std::string memory_, cpu_, cpuacct_, pids_, blkio_, freezer_, v2_;
};

}  // namespace builder::sandbox
