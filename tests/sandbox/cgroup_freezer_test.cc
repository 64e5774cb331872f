// SetFrozen on the real kernel: a frozen child stops writing, a thawed one goes on.
#include "sandbox/cgroup_freezer.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace builder::sandbox {
namespace {

// Bytes the child wrote into the pipe since the last call.
std::size_t Drain(int fd) {
  std::size_t total = 0;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) total += static_cast<std::size_t>(n);
  return total;
}

TEST_CASE("cgroup freezer: frozen processes stop, thawed ones resume") {
  auto cg = Cgroup::Create("builder-test/freeze-" + std::to_string(::getpid()), {});
  if (!cg) {
    MESSAGE("skipped: cannot create cgroups: " << cg.error().ToString());
    return;
  }
  int fds[2];
  REQUIRE(::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    for (;;) {
      (void)::write(fds[1], "x", 1);
      ::usleep(1000);
    }
  }
  ::close(fds[1]);
  REQUIRE(cg->AddProcess(child));
  ::usleep(50000);
  CHECK(Drain(fds[0]) > 0);
  auto frozen = SetFrozen(*cg, true);
  if (!frozen && frozen.error().code() == ErrorCode::kUnsupported) {
    MESSAGE("skipped: " << frozen.error().ToString());
  } else {
    REQUIRE_MESSAGE(frozen, (frozen ? "" : frozen.error().ToString()));
    CHECK(IsFrozen(*cg));
    (void)Drain(fds[0]);
    ::usleep(200000);
    CHECK(Drain(fds[0]) == 0);
    REQUIRE(SetFrozen(*cg, false));
    CHECK_FALSE(IsFrozen(*cg));
    ::usleep(100000);
    CHECK(Drain(fds[0]) > 0);
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(fds[0]);
  for (int i = 0; i < 50 && !cg->Remove(); ++i) ::usleep(10000);
}

}  // namespace
}  // namespace builder::sandbox
