// Liveness by pid + start time, and pidfd signalling.
#include "runner/process_identity.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "base/path.h"
#include "base/unique_fd.h"
#include "sandbox/sandbox_exec.h"

namespace builder::runner {

bool ProcessAlive(pid_t pid, std::uint64_t start_time) {
  if (pid <= 0) return false;
  auto start = sandbox::ProcessStartTime(pid);
  if (!start || *start != start_time) return false;
  // A zombie has its start time still: the state after the command name tells.
  auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::size_t paren = stat->rfind(')');
  return paren != std::string::npos && paren + 2 < stat->size() && (*stat)[paren + 2] != 'Z' &&
         (*stat)[paren + 2] != 'X';
}

bool SignalProcess(pid_t pid, std::uint64_t start_time, int sig) {
  if (pid <= 0) return false;
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) return false;
  // Checked after the pidfd exists: if the start time still matches, the pidfd names our process.
  if (!ProcessAlive(pid, start_time)) return false;
  return ::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) == 0;
}

std::size_t CurrentThreadCount() {
  auto tasks = ListDirectory("/proc/self/task");
  return tasks ? tasks->size() : 0;
}

}  // namespace builder::runner
