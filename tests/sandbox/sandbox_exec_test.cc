// ExecIn on the real kernel: joining a running busybox sandbox's namespaces and cgroup.
#include "sandbox/sandbox_exec.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "sandbox/cgroup.h"
#include "sandbox/sandbox.h"
#include "sandbox_fixture.h"

namespace builder::sandbox {
namespace {

using testing::BusyboxRoot;
using testing::ReadAll;
using testing::SkipWithoutSandbox;

template <class T>
std::string Why(const Result<T>& r) {
  return r ? std::string() : r.error().ToString();
}

// A sandbox whose command marks its world and then sleeps until killed.
struct Running {
  BusyboxRoot root;
  std::optional<Sandbox> sandbox;
  explicit Running(bool pid1 = false, std::string cgroup = "") {
    SandboxSpec spec = root.Shell("echo marker > /tmp/marker; hostname; sleep 1000");
    spec.hostname = "exec-target";
    spec.network = NetworkMode::kNone;
    spec.command_is_pid1 = pid1;
    spec.cgroup_name = std::move(cgroup);
    auto started = Sandbox::Start(spec);
    REQUIRE_MESSAGE(started, Why(started));
    sandbox.emplace(std::move(*started));
    for (int i = 0; i < 200 && root.out().empty(); ++i) ::usleep(10000);
  }
  ~Running() {
    if (sandbox) {
      sandbox->Signal(SIGKILL);
      (void)sandbox->Wait();
    }
  }
};

struct Capture {
  int fd = ::memfd_create("exec-out", MFD_CLOEXEC);
  ~Capture() { ::close(fd); }
  std::string text() const { return ReadAll(fd); }
};

TEST_CASE("exec: joins the sandbox's rootfs, pid, uts and net namespaces") {
  if (SkipWithoutSandbox()) return;
  Running target;
  Capture out;
  ExecSpec spec;
  spec.argv = {"sh", "-c",
               "cat /tmp/marker; hostname; test $$ -lt 100 && echo small-pid; "
               "ps -o args | grep -c '^sleep 1000'; "
               "ip -o link | wc -l; pwd; grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status"};
  spec.env = {"PATH=/bin"};
  spec.cwd = "/tmp";
  spec.stdout_fd = out.fd;
  auto process = ExecIn(target.sandbox->pid(), spec);
  REQUIRE_MESSAGE(process, Why(process));
  auto status = process->Wait();
  REQUIRE(status);
  CHECK(status->ok());
  const std::string text = out.text();
  CAPTURE(text);
  CHECK(text.starts_with("marker\nexec-target\n"));
  // A small pid of the sandbox's namespace, not a host pid.
  CHECK(text.find("small-pid\n1\n1\n/tmp\nNoNewPrivs:\t1\nSeccomp:\t2\n") != std::string::npos);
}

TEST_CASE("exec: errors are clear and the pid is checked") {
  if (SkipWithoutSandbox()) return;
  Running target;
  ExecSpec spec;
  spec.argv = {"no-such-tool"};
  auto missing = ExecIn(target.sandbox->pid(), spec);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::kNotFound);
  CHECK(missing.error().ToString() == "exec no-such-tool: No such file or directory");
  spec.argv = {"true"};
  spec.cwd = "/no/such/dir";
  auto cwd = ExecIn(target.sandbox->pid(), spec);
  REQUIRE_FALSE(cwd);
  CHECK(cwd.error().ToString().find("working directory") != std::string::npos);
  spec.cwd = "/";
  auto start = ProcessStartTime(target.sandbox->pid());
  REQUIRE(start);
  spec.expected_start_time = *start + 1;
  auto reused = ExecIn(target.sandbox->pid(), spec);
  REQUIRE_FALSE(reused);
  CHECK(reused.error().code() == ErrorCode::kNotFound);
  spec.expected_start_time = *start;
  auto ok = ExecIn(target.sandbox->pid(), spec);
  REQUIRE_MESSAGE(ok, Why(ok));
  CHECK(ok->Wait()->ok());
}

TEST_CASE("exec: no host fd reaches the container, and the helper's exe is unreachable") {
  if (SkipWithoutSandbox()) return;
  Running target(/*pid1=*/true);
  Capture out;
  // A host directory fd held by the caller (what CVE-2024-21626 leaked).
  UniqueFd host_dir(::open("/", O_PATH | O_DIRECTORY));
  ExecSpec spec;
  spec.argv = {"sh", "-c", "ls /proc/self/fd | wc -l; readlink /proc/$$/cwd"};
  spec.env = {"PATH=/bin"};
  spec.stdout_fd = out.fd;
  auto process = ExecIn(target.sandbox->pid(), spec);
  REQUIRE_MESSAGE(process, Why(process));
  REQUIRE(process->Wait());
  // 0, 1, 2 and the fd ls opened for the listing.
  CHECK(out.text() == "4\n/\n");
}

TEST_CASE("exec: a tty, user ids and capabilities") {
  if (SkipWithoutSandbox()) return;
  Running target;
  ::symlink("busybox", (target.root.lower() + "/bin/tty").c_str());
  ExecSpec spec;
  spec.argv = {"sh", "-c", "tty; id -u; grep CapEff /proc/self/status"};
  spec.env = {"PATH=/bin"};
  spec.tty = true;
  spec.uid = 1000;
  spec.gid = 1000;
  auto process = ExecIn(target.sandbox->pid(), spec);
  REQUIRE_MESSAGE(process, Why(process));
  UniqueFd master = process->TakePtyMaster();
  REQUIRE(master);
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[512];
    ssize_t n = ::read(master.get(), buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  REQUIRE(process->Wait());
  CAPTURE(text);
  CHECK(text.find("/dev/pts/") != std::string::npos);
  CHECK(text.find("1000") != std::string::npos);
  CHECK(text.find("CapEff:\t0000000000000000") != std::string::npos);
}

TEST_CASE("exec: joins the sandbox's cgroup") {
  if (SkipWithoutSandbox()) return;
  const std::string name = "builder-test/exec-" + std::to_string(::getpid());
  if (auto probe = Cgroup::Create(name + "-probe", {}); !probe) {
    MESSAGE("skipped: " << probe.error().ToString());
    return;
  } else {
    (void)probe->Remove();
  }
  Running target(false, name);
  ExecSpec spec;
  spec.argv = {"sleep", "1"};
  spec.cgroup_name = name;
  auto process = ExecIn(target.sandbox->pid(), spec);
  REQUIRE_MESSAGE(process, Why(process));
  auto pids = target.sandbox->cgroup()->Pids();
  REQUIRE(pids);
  CHECK(std::find(pids->begin(), pids->end(), process->pid()) != pids->end());
  process->Signal(SIGKILL);
  CHECK(process->Wait()->signal == SIGKILL);
}

}  // namespace
}  // namespace builder::sandbox
