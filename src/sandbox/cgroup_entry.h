// CgroupEntry: a child cloned straight into a container's cgroup, without the kernel's
// global migration lock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "sandbox/cgroup.h"
#include "sandbox/child_process.h"

namespace builder::sandbox {

/// The calling thread inside a cgroup for the length of one clone. Writing a pid to
/// cgroup.procs takes the kernel's global threadgroup lock, whose RCU grace period cost ~10 ms
/// per container start here (v1 and v2 alike); a thread moving itself by writing 0 to a v1
/// `tasks` file skips that lock, and clone3's CLONE_INTO_CGROUP places the child in the v2 tree
/// without a migration. The destructor moves the thread back where it came from.
class CgroupEntry {
 public:
  CgroupEntry() = default;
  CgroupEntry(CgroupEntry&& other) noexcept;
  CgroupEntry& operator=(CgroupEntry&& other) noexcept;
  CgroupEntry(const CgroupEntry&) = delete;
  CgroupEntry& operator=(const CgroupEntry&) = delete;
  ~CgroupEntry();

  /// Moves the calling thread into `cgroup` in its v1 hierarchies and opens its v2 directory.
  /// Errors: a move or the open failed (nothing is left moved).
  [[nodiscard]] static Result<CgroupEntry> Enter(const Cgroup& cgroup);

  /// The v2 directory for CLONE_INTO_CGROUP; -1 when the cgroup has no v2 part.
  int clone_fd() const { return v2_fd_.get(); }

 private:
  void Leave();

  std::vector<std::string> origins_;  ///< the v1 directories the thread came from
  UniqueFd v2_fd_;
};

/// NamespacedChild::Start with the child inside `cgroup` (when not null) from its first
/// instruction, so the command never runs outside its limits. Falls back to a cgroup.procs
/// write after the clone when entering fails (e.g. a pids limit too small to hold the caller
/// for a moment, or a kernel without CLONE_INTO_CGROUP).
[[nodiscard]] Result<NamespacedChild> StartInCgroup(const Cgroup* cgroup, uint64_t flags,
                                                    NamespacedChild::Body body, const void* arg);

}  // namespace builder::sandbox
