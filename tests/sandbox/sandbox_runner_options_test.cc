// Real sandbox runs of the options `builder run` needs: stdin, tty, pid 1, security, mounts.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>

#include "base/path.h"
#include "sandbox/capabilities.h"
#include "sandbox/sandbox.h"
#include "sandbox_fixture.h"

namespace builder::sandbox {
namespace {

using testing::BusyboxRoot;
using testing::SkipWithoutSandbox;
using testing::TempDir;

template <class T>
std::string Why(const Result<T>& r) {
  return r ? std::string() : r.error().ToString();
}

// Reads the pty master until `want` appears or EOF/EIO (the slave side closed) or 10 s pass.
std::string ReadPty(int master, const std::string& want = "") {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[1024];
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (!want.empty() && out.find(want) != std::string::npos) break;
  }
  return out;
}

TEST_CASE("sandbox: stdin_fd feeds the command") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  REQUIRE(::write(pipe_fds[1], "from stdin\n", 11) == 11);
  ::close(pipe_fds[1]);
  SandboxSpec spec = root.Spec({"cat"});
  spec.stdin_fd = pipe_fds[0];
  auto result = RunSandboxed(spec);
  ::close(pipe_fds[0]);
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(root.out() == "from stdin\n");
}

TEST_CASE("sandbox: tty gives a pty of the container's devpts, with size and resize") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  SandboxSpec spec = root.Shell(
      "tty; stty size; echo ready; read line; echo got:$line; stty size; "
      "test -t 0 && test -t 1 && echo all-tty");
  ::symlink("busybox", (root.lower() + "/bin/tty").c_str());
  ::symlink("busybox", (root.lower() + "/bin/stty").c_str());
  spec.tty = true;
  spec.tty_rows = 30;
  spec.tty_cols = 100;
  auto sandbox = Sandbox::Start(spec);
  REQUIRE_MESSAGE(sandbox, Why(sandbox));
  UniqueFd master = sandbox->TakePtyMaster();
  REQUIRE(master);
  std::string first = ReadPty(master.get(), "ready");
  CHECK(first.find("/dev/pts/0") != std::string::npos);
  CHECK(first.find("30 100") != std::string::npos);
  // Resize needs the master, which the caller took: it fails cleanly, the ioctl works.
  CHECK_FALSE(sandbox->Resize(40, 120));
  winsize ws{};
  ws.ws_row = 40;
  ws.ws_col = 120;
  REQUIRE(::ioctl(master.get(), TIOCSWINSZ, &ws) == 0);
  REQUIRE(::write(master.get(), "hello\n", 6) == 6);
  std::string rest = ReadPty(master.get(), "all-tty");
  CHECK(rest.find("got:hello") != std::string::npos);
  CHECK(rest.find("40 120") != std::string::npos);
  CHECK(rest.find("all-tty") != std::string::npos);
  auto result = sandbox->Wait();
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.ok());
}

TEST_CASE("sandbox: Resize on a kept master") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  ::symlink("busybox", (root.lower() + "/bin/stty").c_str());
  SandboxSpec spec = root.Shell("sleep 0.5; stty size");
  spec.tty = true;
  auto sandbox = Sandbox::Start(spec);
  REQUIRE_MESSAGE(sandbox, Why(sandbox));
  REQUIRE(sandbox->Resize(12, 34));
  UniqueFd master = sandbox->TakePtyMaster();
  CHECK(ReadPty(master.get(), "12 34").find("12 34") != std::string::npos);
  REQUIRE(sandbox->Wait());
}

TEST_CASE("sandbox: command_is_pid1 makes the command pid 1 and keeps exec errors") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  SandboxSpec spec = root.Shell("echo $$; cat /proc/1/cmdline | tr '\\0' ' '; exit 7");
  spec.command_is_pid1 = true;
  auto result = RunSandboxed(spec);
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.code == 7);
  CHECK(root.out().starts_with("1\nsh -c "));

  SandboxSpec missing = root.Spec({"no-such-tool"});
  missing.command_is_pid1 = true;
  auto failed = RunSandboxed(missing);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code() == ErrorCode::kNotFound);

  // A signal goes straight to the command (sh as pid 1 has a TERM trap).
  SandboxSpec trap = root.Shell("trap 'echo term; exit 3' TERM; echo up; while :; do sleep 0.05; done");
  trap.command_is_pid1 = true;
  auto sandbox = Sandbox::Start(trap);
  REQUIRE_MESSAGE(sandbox, Why(sandbox));
  for (int i = 0; i < 100 && root.out().find("up") == std::string::npos; ++i) ::usleep(20000);
  sandbox->Signal(SIGTERM);
  auto ended = sandbox->Wait();
  REQUIRE_MESSAGE(ended, Why(ended));
  CHECK(ended->status.code == 3);
}

TEST_CASE("sandbox: tty with the command as pid 1") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  ::symlink("busybox", (root.lower() + "/bin/tty").c_str());
  SandboxSpec spec = root.Shell("tty; echo pid=$$");
  spec.tty = true;
  spec.command_is_pid1 = true;
  auto sandbox = Sandbox::Start(spec);
  REQUIRE_MESSAGE(sandbox, Why(sandbox));
  UniqueFd master = sandbox->TakePtyMaster();
  REQUIRE(master);
  const std::string text = ReadPty(master.get(), "pid=1");
  CHECK(text.find("/dev/pts/0") != std::string::npos);
  CHECK(text.find("pid=1") != std::string::npos);
  auto result = sandbox->Wait();
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.ok());
}

TEST_CASE("sandbox: capabilities, privileged and no_new_privileges") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  const std::string script = "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status";
  SandboxSpec spec = root.Shell(script);
  spec.capabilities = DefaultCapabilities() | *CapabilityByName("NET_ADMIN");
  spec.capabilities &= ~*CapabilityByName("chown");
  spec.no_new_privileges = false;
  auto result = RunSandboxed(spec);
  REQUIRE_MESSAGE(result, Why(result));
  char want[64];
  std::snprintf(want, sizeof want, "CapEff:\t%016llx",
                static_cast<unsigned long long>(spec.capabilities));
  CHECK(root.out().find(want) != std::string::npos);
  CHECK(root.out().find("NoNewPrivs:\t0") != std::string::npos);
  CHECK(root.out().find("Seccomp:\t2") != std::string::npos);

  BusyboxRoot priv;
  SandboxSpec all = priv.Shell(script + "; cat /proc/sys/kernel/hostname > /dev/null && "
                                        "grep -c ' /proc/sys ' /proc/self/mounts");
  all.privileged = true;
  auto p = RunSandboxed(all);
  REQUIRE_MESSAGE(p, Why(p));
  std::snprintf(want, sizeof want, "CapEff:\t%016llx",
                static_cast<unsigned long long>(AllCapabilities()));
  CHECK(priv.out().find(want) != std::string::npos);
  CHECK(priv.out().find("Seccomp:\t0") != std::string::npos);
  CHECK(priv.out().find("\n0\n") != std::string::npos);  // /proc/sys not masked
}

TEST_CASE("sandbox: CapabilityByName") {
  CHECK(*CapabilityByName("NET_ADMIN") == uint64_t{1} << 12);
  CHECK(*CapabilityByName("cap_net_admin") == uint64_t{1} << 12);
  CHECK(*CapabilityByName("Cap_Sys_Admin") == uint64_t{1} << 21);
  CHECK(*CapabilityByName("ALL") == AllCapabilities());
  CHECK_FALSE(CapabilityByName("NET_WIZARD"));
  CHECK_FALSE(CapabilityByName(""));
}

TEST_CASE("sandbox: seccomp unconfined and a Docker profile") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  SandboxSpec def = root.Shell("unshare -U true && echo nested-ok; mkdir /made && echo mkdir-ok");
  auto d = RunSandboxed(def);
  REQUIRE_MESSAGE(d, Why(d));
  CHECK(root.out() == "mkdir-ok\n");

  BusyboxRoot unconfined;
  SandboxSpec u = unconfined.Shell("unshare -U true && echo nested-ok");
  u.seccomp = SeccompMode::kUnconfined;
  auto ur = RunSandboxed(u);
  REQUIRE_MESSAGE(ur, Why(ur));
  CHECK(unconfined.out() == "nested-ok\n");

  BusyboxRoot profiled;
  SandboxSpec pr = profiled.Shell("mkdir /made 2>&1; echo rc=$?; echo still");
  pr.seccomp = SeccompMode::kProfile;
  pr.seccomp_profile = R"({"defaultAction": "SCMP_ACT_ALLOW",
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
      "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                   {"names": ["chmod"], "action": "SCMP_ACT_ERRNO",
                    "includes": {"caps": ["CAP_SYS_ADMIN"]}}]})";
  auto prr = RunSandboxed(pr);
  REQUIRE_MESSAGE(prr, Why(prr));
  CHECK(profiled.out().find("Permission denied") != std::string::npos);
  CHECK(profiled.out().find("rc=1\nstill") != std::string::npos);

  pr.seccomp_profile = R"({"defaultAction": "SCMP_ACT_DANCE"})";
  auto bad = RunSandboxed(pr);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::kParse);
  pr.seccomp_profile = "{not json";
  CHECK_FALSE(RunSandboxed(pr));
}

TEST_CASE("sandbox: read-only rootfs with a writable tmpfs") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  SandboxSpec spec = root.Shell(
      "touch /x 2>/dev/null && echo root-writable; touch /scratch/y && echo tmpfs-ok; "
      "grep ' /scratch ' /proc/self/mounts");
  spec.read_only_rootfs = true;
  spec.tmpfs.push_back(TmpfsMount{.destination = "/scratch", .size_bytes = 1 << 20, .mode = 0700,
                                  .noexec = true});
  auto result = RunSandboxed(spec);
  REQUIRE_MESSAGE(result, Why(result));
  const std::string out = root.out();
  CHECK(out.find("root-writable") == std::string::npos);
  CHECK(out.find("tmpfs-ok") != std::string::npos);
  CHECK(out.find("size=1024k") != std::string::npos);
  CHECK(out.find("mode=700") != std::string::npos);
  CHECK(out.find("noexec") != std::string::npos);
  CHECK_FALSE(testing::Exists(root.upper() + "/x"));
}

TEST_CASE("sandbox: rlimits apply and cannot be raised") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  SandboxSpec spec = root.Shell("ulimit -n; ulimit -Hn");
  spec.rlimits.push_back(ResourceLimit{RLIMIT_NOFILE, 123, 456});
  auto result = RunSandboxed(spec);
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(root.out() == "123\n456\n");
  rlimit current;
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &current) == 0);
  if (current.rlim_max != RLIM_INFINITY) {
    spec.rlimits = {ResourceLimit{RLIMIT_NOFILE, 10, current.rlim_max + 1}};
    auto raised = RunSandboxed(spec);
    REQUIRE_FALSE(raised);
    CHECK(raised.error().code() == ErrorCode::kInvalidArgument);
    CHECK(raised.error().message().find("only be lowered") != std::string::npos);
  }
}

TEST_CASE("sandbox: /sys read-only with masks, no host cgroups, and the runner's writable etc files") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  for (NetworkMode mode : {NetworkMode::kNone, NetworkMode::kHost}) {
    TempDir files;
    std::ofstream(files / "hosts") << "10.0.0.2 web\n";
    std::ofstream(files / "resolv") << "nameserver 10.0.0.1\n";
    std::ofstream(files / "hostname") << "web\n";
    BusyboxRoot r;
    SandboxSpec spec = r.Shell(
        "test -d /sys/kernel && echo sys-ok; touch /sys/kernel/x 2>/dev/null || echo sys-ro; "
        "ls /sys/firmware | wc -l; ls -A /sys/fs/cgroup | wc -l; cat /etc/hosts /etc/resolv.conf /etc/hostname; "
        "echo '10.0.0.3 db' >> /etc/hosts && echo hosts-rw");
    spec.network = mode;
    spec.mount_sysfs = true;
    spec.hosts_file = files / "hosts";
    spec.resolv_conf_file = files / "resolv";
    spec.hostname_file = files / "hostname";
    auto result = RunSandboxed(spec);
    REQUIRE_MESSAGE(result, Why(result));
    CHECK(r.out() ==
          "sys-ok\nsys-ro\n0\n0\n10.0.0.2 web\nnameserver 10.0.0.1\nweb\nhosts-rw\n");
    // The container's own copy took the write (docker's are writable too).
    CHECK(*ReadFile(files / "hosts") == "10.0.0.2 web\n10.0.0.3 db\n");
  }
}

TEST_CASE("sandbox: the host binary cannot be reached through /proc/1/exe (CVE-2019-5736)") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  ::symlink("busybox", (root.lower() + "/bin/readlink").c_str());
  auto result = RunSandboxed(root.Shell(
      "readlink /proc/1/exe || echo no-link; echo x >> /proc/1/exe 2>/dev/null || echo no-write; "
      "cat /proc/1/exe > /dev/null 2>&1 || echo no-read"));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(root.out() == "no-link\nno-write\nno-read\n");
}

}  // namespace
}  // namespace builder::sandbox
