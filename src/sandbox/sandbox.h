// Running one process in a fresh set of namespaces over an overlayfs rootfs.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "sandbox/cgroup.h"
#include "sandbox/child_process.h"
#include "sandbox/sandbox_spec.h"

namespace builder::sandbox {

/// A started sandbox: the host-side handle of its init (pid 1 of its pid namespace).
///
/// The process runs in new user, mount, pid, uts and ipc namespaces (plus net for
/// NetworkMode::kNone) on overlayfs(lower_dirs, upper_dir) after pivot_root, with Docker's
/// default capabilities, no_new_privs and the default seccomp filter (seccomp_filter.h).
/// Ids: as host root the user namespace maps 0..4294967294 to itself (files in the upper dir
/// keep their real owners); as another user, container 0 is that user, plus the /etc/subuid
/// ranges through newuidmap/newgidmap when granted (id_map.h).
///
/// The init is a copy of the builder: it blanks the builder's argv and environment in its memory
/// (/proc/1/cmdline reads "builder-init") and is not dumpable, so the command cannot read the
/// builder's memory, environment or fds through /proc/1.
///
/// The overlay is mounted, inside the sandbox's own mount namespace only, on a temporary
/// directory `sandbox-root-XXXXXX` made beside work_dir; nothing is mounted on the host.
///
/// The destructor SIGKILLs the init (which takes the pid namespace down), reaps it and removes
/// the temporary mount point; call Wait() to learn the status and clean the upper dir.
class Sandbox {
 public:
  Sandbox(Sandbox&&) noexcept;
  Sandbox& operator=(Sandbox&&) noexcept;
  ~Sandbox();

  /// Sets up the sandbox and starts the command. Returns once the command runs. Errors: an
  /// invalid spec (kInvalidArgument: empty argv, unmapped uid/gid, bad paths), a setup step that
  /// failed in the child ("sandbox setup: mount overlay on ...: Permission denied", with errno),
  /// or the exec itself ("exec /bin/nope: No such file or directory", kNotFound / kPermission) —
  /// distinct from a command that runs and exits non-zero.
  [[nodiscard]] static Result<Sandbox> Start(const SandboxSpec& spec);

  /// Host pid of the sandbox's init.
  pid_t pid() const;
  /// Sends `sig` to the init, which forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
  /// and SIGWINCH to the command; SIGKILL ends the whole sandbox.
  void Signal(int sig);
  /// The pty master of a SandboxSpec::tty sandbox (an invalid fd otherwise, or once taken).
  /// The caller owns it: reading gives the command's output, writing is its input.
  UniqueFd TakePtyMaster();
  /// The mount namespace held for SandboxSpec::hold_mount_namespace (an invalid fd otherwise,
  /// or once taken). The namespace, its overlay mount included, lasts until the fd is closed:
  /// close it before the upper dir is mounted again or deleted.
  UniqueFd TakeMountNamespace();
  /// Sets the tty window size (TIOCSWINSZ on the master; the kernel sends SIGWINCH to the
  /// command's foreground process group). Fails when there is no pty or it was taken.
  [[nodiscard]] Result<void> Resize(unsigned short rows, unsigned short cols);
  /// Whether the kernel's OOM killer hit the sandbox's cgroup (after Wait, when cgroup_name
  /// was set); also in SandboxResult::oom_killed.
  bool oom_killed() const;
  /// The sandbox's own cgroup (nullptr without SandboxSpec::cgroup_name), for usage figures.
  /// Removed from disk by Wait.
  const Cgroup* cgroup() const;
  /// Waits for the command, then for the pid namespace to end; removes from the upper dir the
  /// mount points the sandbox created there that are still untouched (see SandboxResult).
  [[nodiscard]] Result<SandboxResult> Wait();

 private:
  struct State;
  explicit Sandbox(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// Start + Wait: runs spec.argv to completion. A non-zero exit is a successful result.
[[nodiscard]] Result<SandboxResult> RunSandboxed(const SandboxSpec& spec);

/// Whether this process can create the user namespaces the sandbox needs (a quick probe with
/// a throwaway child); tests skip with the returned reason when not.
[[nodiscard]] Result<void> CheckUserNamespaces();

}  // namespace builder::sandbox
