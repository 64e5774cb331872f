// ProcessAlive and SignalProcess: a live process, a reused pid (wrong start time), and a zombie
// (this VM's pid 1 never reaps, so an orphaned container init stays one): dead.
#include "runner/process_identity.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox_exec.h"

namespace builder::runner {
namespace {

// A child that sleeps until killed; reaped by the destructor.
struct Child {
  pid_t pid = ::fork();
  Child() {
    if (pid == 0) {
      ::pause();
      ::_exit(0);
    }
  }
  ~Child() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

// Waits until `pid` (a child that was sent a fatal signal) is a zombie: exited, not reaped.
bool BecameZombie(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid) {
      return true;
    }
    ::usleep(2000);
  }
  return false;
}

TEST_CASE("ProcessAlive: the process with its start time is alive; another start time is not") {
  Child child;
  REQUIRE(child.pid > 0);
  auto start = sandbox::ProcessStartTime(child.pid);
  REQUIRE(start);
  CHECK(ProcessAlive(child.pid, *start));
  CHECK_FALSE(ProcessAlive(child.pid, *start + 1));  // the pid reused by another process
  CHECK_FALSE(ProcessAlive(0, *start));
  CHECK(SignalProcess(child.pid, *start, 0));
  CHECK_FALSE(SignalProcess(child.pid, *start + 1, SIGKILL));
  CHECK(ProcessAlive(child.pid, *start));  // the wrong start time sent nothing
}

TEST_CASE("ProcessAlive: a zombie (exited, never reaped) is dead, and is not signalled") {
  Child child;
  REQUIRE(child.pid > 0);
  auto start = sandbox::ProcessStartTime(child.pid);
  REQUIRE(start);
  ::kill(child.pid, SIGKILL);
  REQUIRE(BecameZombie(child.pid));
  // The zombie keeps its pid and start time: only its state tells.
  CHECK(sandbox::ProcessStartTime(child.pid).value_or(0) == *start);
  CHECK_FALSE(ProcessAlive(child.pid, *start));
  CHECK_FALSE(SignalProcess(child.pid, *start, SIGTERM));
}

}  // namespace
}  // namespace builder::runner
