// Exec into a running sandbox: a new process in its namespaces and cgroup (`builder exec`).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/subprocess.h"
#include "base/unique_fd.h"
#include "sandbox/capabilities.h"
#include "sandbox/sandbox_spec.h"

namespace builder::sandbox {

/// The process to start inside a running sandbox; the same meanings as in SandboxSpec.
struct ExecSpec {
  /// argv[0] without a '/' is looked up in `env`'s PATH (Docker's default without one) inside
  /// the container.
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd = "/";  ///< inside the container; a missing one fails with kNotFound
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  uint64_t capabilities = DefaultCapabilities();
  bool privileged = false;  ///< every capability, no seccomp filter
  bool no_new_privileges = true;
  SeccompMode seccomp = SeccompMode::kDefault;
  std::string seccomp_profile;
  std::string seccomp_cache_dir;  ///< as SandboxSpec's
  int stdin_fd = -1;  ///< -1: /dev/null; the caller keeps ownership of all three
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool tty = false;  ///< a pty of the container's devpts (ExecProcess::TakePtyMaster)
  unsigned short tty_rows = 0;
  unsigned short tty_cols = 0;
  /// "" = stay in the caller's cgroup; else the sandbox's SandboxSpec::cgroup_name: the process
  /// joins the target's cgroup (Cgroup::OfProcess), which must end with that name.
  std::string cgroup_name;
  /// ProcessStartTime() of the sandbox's init recorded at start: guards against the pid having
  /// been reused by another process. 0 skips the check.
  uint64_t expected_start_time = 0;
};

/// A process started by ExecIn: a child of the caller inside the sandbox's pid namespace. It
/// must be reaped (Wait, or the destructor, which SIGKILLs and reaps it): until then the
/// sandbox's init cannot finish exiting (the kernel waits for every process of the namespace).
class ExecProcess {
 public:
  ExecProcess() = default;
  ExecProcess(ExecProcess&& other) noexcept;
  ExecProcess& operator=(ExecProcess&& other) noexcept;
  ExecProcess(const ExecProcess&) = delete;
  ExecProcess& operator=(const ExecProcess&) = delete;
  ~ExecProcess();

  pid_t pid() const { return pid_; }  ///< host pid
  UniqueFd TakePtyMaster() { return std::move(pty_master_); }
  void Signal(int sig);
  [[nodiscard]] Result<ExitStatus> Wait();

 private:
  friend Result<ExecProcess> ExecIn(pid_t, const ExecSpec&);
  void Kill();
  pid_t pid_ = -1;
  UniqueFd pty_master_;
};

/// Starts spec.argv in the user, mnt, pid, uts, ipc, net and cgroup namespaces of
/// `sandbox_init_pid` (Sandbox::pid()) and in spec.cgroup_name; returns once it runs.
/// The joining process is non-dumpable until its exec, closes every fd of the caller except
/// its stdio (CVE-2024-21626) and changes directory only inside the container's root.
/// Errors: kNotFound when the sandbox is gone (or its pid now names another process), a
/// setup step ("exec setup: setns mnt: ..."), or the exec itself as Sandbox::Start reports it.
[[nodiscard]] Result<ExecProcess> ExecIn(pid_t sandbox_init_pid, const ExecSpec& spec);

/// The start time (clock ticks since boot, /proc/<pid>/stat field 22) of `pid`: with the pid it
/// names one process for ever. kNotFound when no such process exists.
[[nodiscard]] Result<uint64_t> ProcessStartTime(pid_t pid);

}  // namespace builder::sandbox
