// /proc/PID/stat start times and pidfd signalling.
#include "runner/process_identity.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "base/path.h"
#include "base/unique_fd.h"

namespace builder::runner {
namespace {

struct StatFields {
  char state = '?';
  std::uint64_t start = 0;
};

std::optional<StatFields> ReadStat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  // The command name may hold spaces and parentheses: fields restart after the last ')'.
  std::size_t paren = text->rfind(')');
  if (paren == std::string::npos || paren + 2 >= text->size()) return std::nullopt;
  StatFields out;
  out.state = (*text)[paren + 2];
  // After ") " comes field 3 (state); field 22 is 19 fields further.
  const char* p = text->c_str() + paren + 2;
  for (int field = 3; field < 22; ++field) {
    p = std::strchr(p, ' ');
    if (p == nullptr) return std::nullopt;
    ++p;
  }
  out.start = std::strtoull(p, nullptr, 10);
  return out;
}

}  // namespace

std::optional<std::uint64_t> ProcessStartTime(pid_t pid) {
  auto stat = ReadStat(pid);
  if (!stat) return std::nullopt;
  return stat->start;
}

bool ProcessAlive(pid_t pid, std::uint64_t start_time) {
  auto stat = ReadStat(pid);
  return stat && stat->start == start_time && stat->state != 'Z' && stat->state != 'X';
}

bool SignalProcess(pid_t pid, std::uint64_t start_time, int sig) {
  if (pid <= 0) return false;
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) return false;
  // Checked after the pidfd exists: if the start time still matches, the pidfd names our process.
  if (!ProcessAlive(pid, start_time)) return false;
  return ::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) == 0;
}

}  // namespace builder::runner
