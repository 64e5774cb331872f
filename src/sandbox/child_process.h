// NamespacedChild: a process cloned into new namespaces, killed and reaped by its destructor.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "base/error.h"
#include "base/subprocess.h"

namespace builder::sandbox {

/// The host-side handle of a child made by clone3(2) with CLONE_NEW* flags. The destructor
/// SIGKILLs and reaps a child that was not waited for; when the child is the init of a pid
/// namespace that takes the whole namespace with it.
class NamespacedChild {
 public:
  /// The body runs in a fork-like copy of the caller (one thread, copied memory): it may read
  /// anything the caller prepared but must make only async-signal-safe calls (another thread of
  /// the caller may have held malloc's lock at the clone) and must end with _exit.
  using Body = void (*)(const void* arg);

  NamespacedChild() = default;
  NamespacedChild(NamespacedChild&& other) noexcept;
  NamespacedChild& operator=(NamespacedChild&& other) noexcept;
  NamespacedChild(const NamespacedChild&) = delete;
  NamespacedChild& operator=(const NamespacedChild&) = delete;
  ~NamespacedChild();

  /// clone3 with `flags` (CLONE_NEWUSER | CLONE_NEWNS | ...) and SIGCHLD, then body(arg) in the
  /// child, which starts in the v2 cgroup `cgroup_fd` when that is not -1 (CLONE_INTO_CGROUP).
  /// Errors: the clone3 errno (EPERM/ENOSPC when user namespaces are unavailable).
  [[nodiscard]] static Result<NamespacedChild> Start(uint64_t flags, Body body, const void* arg,
                                                     int cgroup_fd = -1);

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  /// Sends a signal; a child already reaped is not an error.
  void Kill(int sig);
  /// Reaps the child (EINTR retried).
  [[nodiscard]] Result<ExitStatus> Wait();

 private:
  pid_t pid_ = -1;
};

}  // namespace builder::sandbox
