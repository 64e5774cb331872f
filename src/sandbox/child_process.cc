// NamespacedChild: a process cloned into new namespaces, killed and reaped by its destructor.
#include "sandbox/child_process.h"

#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace builder::sandbox {

NamespacedChild::NamespacedChild(NamespacedChild&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)) {}

NamespacedChild& NamespacedChild::operator=(NamespacedChild&& other) noexcept {
  if (this != &other) {
    Kill(SIGKILL);
    (void)Wait();
    pid_ = std::exchange(other.pid_, -1);
  }
  return *this;
}

NamespacedChild::~NamespacedChild() {
  if (pid_ > 0) {
    Kill(SIGKILL);
    (void)Wait();
  }
}

Result<NamespacedChild> NamespacedChild::Start(uint64_t flags, Body body, const void* arg,
                                               int cgroup_fd) {
  clone_args args{};
  args.flags = flags;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  args.exit_signal = SIGCHLD;
  // No stack: like fork, the child continues on a copy of ours.
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) return FailErrno("clone3 into new namespaces", errno);
  if (pid == 0) {
    body(arg);
    ::_exit(127);
  }
  NamespacedChild child;
  child.pid_ = static_cast<pid_t>(pid);
  return child;
}

void NamespacedChild::Kill(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

Result<ExitStatus> NamespacedChild::Wait() {
  if (pid_ <= 0) return Fail(ErrorCode::kInternal, "wait: no child");
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) return FailErrno("waitpid", errno);
  }
  pid_ = -1;
  ExitStatus out;
  if (WIFSIGNALED(status))
    out.signal = WTERMSIG(status);
  else
    out.code = WEXITSTATUS(status);
  return out;
}

}  // namespace builder::sandbox
