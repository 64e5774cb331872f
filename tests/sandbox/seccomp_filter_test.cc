// Tests for the default seccomp filter: it builds, and installed in a child it denies what it
// should.
#include "sandbox/seccomp_filter.h"

#include <doctest/doctest.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace builder::sandbox {
namespace {

// Runs `probe` in a forked child under the default filter; returns its exit code.
template <class F>
int UnderFilter(const SeccompProgram& program, F probe) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(100);
    if (InstallSeccomp(program) != 0) ::_exit(101);
    ::_exit(probe());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

// 0 when the syscall failed with `err`, 1 otherwise.
int FailsWith(long rc, int err) { return rc == -1 && errno == err ? 0 : 1; }

TEST_CASE("the deny-list holds Docker's blocked syscalls") {
  const auto& denied = DeniedSyscalls();
  for (std::string_view name : {"keyctl",
                                "add_key",
                                "request_key",
                                "bpf",
                                "kexec_load",
                                "init_module",
                                "finit_module",
                                "delete_module",
                                "mount",
                                "umount2",
                                "pivot_root",
                                "swapon",
                                "swapoff",
                                "reboot",
                                "userfaultfd",
                                "perf_event_open",
                                "open_by_handle_at",
                                "name_to_handle_at",
                                "setns",
                                "acct",
                                "settimeofday",
                                "clock_settime",
                                "iopl",
                                "ioperm",
                                "lookup_dcookie",
                                "quotactl",
                                "vm86"}) {
    CHECK_MESSAGE(std::find(denied.begin(), denied.end(), name) != denied.end(), name);
  }
  CHECK(std::find(denied.begin(), denied.end(), "ptrace") == denied.end());
}

TEST_CASE("BuildDefaultSeccompProgram builds non-empty filters") {
  auto program = BuildDefaultSeccompProgram();
  REQUIRE(program);
  REQUIRE_FALSE(program->filters.empty());
  for (const auto& filter : program->filters) {
    CHECK(filter.size() > 4);
    CHECK(filter.size() < 4096);  // BPF_MAXINSNS
  }
}

TEST_CASE("the installed filter denies with EPERM and allows ordinary calls") {
  auto program = BuildDefaultSeccompProgram();
  REQUIRE(program);
  CHECK(UnderFilter(*program,
                    [] { return FailsWith(::syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM); }) == 0);
  CHECK(UnderFilter(*program, [] { return FailsWith(::syscall(SYS_bpf, 0, 0, 0), EPERM); }) == 0);
  CHECK(UnderFilter(*program, [] { return FailsWith(::unshare(CLONE_NEWUSER), EPERM); }) == 0);
  CHECK(UnderFilter(*program, [] { return FailsWith(::unshare(CLONE_NEWNS), EPERM); }) == 0);
  CHECK(UnderFilter(*program, [] {
          return FailsWith(::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), EPERM);
        }) == 0);
  CHECK(UnderFilter(*program,
                    [] { return FailsWith(::syscall(SYS_clone3, nullptr, 0), ENOSYS); }) == 0);
  CHECK(UnderFilter(*program, [] { return FailsWith(::personality(PER_BSD), EPERM); }) == 0);
  CHECK(UnderFilter(*program, [] {
          int step = 1;
          for (unsigned long allowed : {0xffffffffUL, 0x0UL, 0x20000UL, 0x8UL, 0x20008UL, 0x0UL}) {
            if (::personality(allowed) < 0) return step;
            ++step;
          }
          return 0;
        }) == 0);
  // Ordinary calls, including a plain fork through clone, still work.
  CHECK(UnderFilter(*program, [] {
          pid_t child = ::fork();
          if (child == 0) ::_exit(7);
          int status = 0;
          return ::waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 7 && ::getpid() > 0
                     ? 0
                     : 1;
        }) == 0);
}

}  // namespace
}  // namespace builder::sandbox
