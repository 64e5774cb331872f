// Real sandbox runs over a busybox rootfs: output, exit codes, isolation, the upper dir.
#include "sandbox/sandbox.h"

#include <doctest/doctest.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "base/path.h"
#include "sandbox/capabilities.h"
#include "sandbox_fixture.h"

namespace builder::sandbox {
namespace {

using testing::BusyboxRoot;
using testing::Exists;
using testing::SkipWithoutSandbox;

// The error text of a failed result, "" for a success (doctest may log it either way).
template <class T>
std::string Why(const Result<T>& r) {
  return r ? std::string() : r.error().ToString();
}

// The value of a "Key:\tvalue" line of /proc/<pid>/status text.
std::string StatusField(const std::string& status, const std::string& key) {
  size_t at = status.find("\n" + key + ":");
  if (at == std::string::npos) return "<missing>";
  at += key.size() + 2;
  while (at < status.size() && (status[at] == '\t' || status[at] == ' ')) ++at;
  return status.substr(at, status.find('\n', at) - at);
}

TEST_CASE("sandbox: echo reaches the stdout fd and exit code 0") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto result = RunSandboxed(root.Spec({"echo", "hello", "world"}));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.ok());
  CHECK(root.out() == "hello world\n");
  CHECK(root.err().empty());
}

TEST_CASE("sandbox: exit codes and signals propagate; stderr is separate") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto result = RunSandboxed(root.Shell("echo oops >&2; exit 42"));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.code == 42);
  CHECK(result->status.signal == 0);
  CHECK(root.err() == "oops\n");
  auto killed = RunSandboxed(root.Shell("kill -TERM $$"));
  REQUIRE_MESSAGE(killed, Why(killed));
  CHECK(killed->status.signal == SIGTERM);
}

TEST_CASE("sandbox: a missing program is an exec error, not an exit code") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto missing = RunSandboxed(root.Spec({"no-such-tool"}));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::kNotFound);
  CHECK(missing.error().ToString() == "exec no-such-tool: No such file or directory");
  auto absolute = RunSandboxed(root.Spec({"/usr/bin/nope", "x"}));
  REQUIRE_FALSE(absolute);
  CHECK(absolute.error().ToString() == "exec /usr/bin/nope: No such file or directory");
  // A directory on the path is not executable.
  auto dir = RunSandboxed(root.Spec({"/tmp"}));
  REQUIRE_FALSE(dir);
  CHECK(dir.error().code() == ErrorCode::kPermission);
}

TEST_CASE("sandbox: a missing working directory fails setup clearly") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  SandboxSpec spec = root.Spec({"true"});
  spec.cwd = "/no/such/dir";
  auto result = RunSandboxed(spec);
  REQUIRE_FALSE(result);
  CHECK(result.error().sys_errno() == ENOENT);
  CHECK(result.error().ToString() ==
        "sandbox setup: working directory /no/such/dir: No such file or directory");
  spec.cwd = "/bin";
  auto ok = RunSandboxed(spec);
  REQUIRE_MESSAGE(ok, Why(ok));
  CHECK(ok->status.ok());
}

TEST_CASE("sandbox: writes land in the upper dir only, and the sandbox leaves no mount points") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto result = RunSandboxed(
      root.Shell("echo data > /new.txt && mkdir -p /etc && echo x > /etc/mine && rm /bin/cat && "
                 "test -e /etc/resolv.conf && test -e /dev/null"));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK_MESSAGE(result->status.ok(), root.err());
  CHECK(Exists(root.upper() + "/new.txt"));
  CHECK_FALSE(Exists(root.lower() + "/new.txt"));
  CHECK(Exists(root.lower() + "/bin/cat"));  // the whiteout is in the upper
  CHECK(Exists(root.upper() + "/bin/cat"));
  CHECK(Exists(root.upper() + "/etc/mine"));
  // Mount points made for /proc, /dev and /etc/{resolv.conf,hosts} are gone again; /etc stays
  // because the command wrote into it.
  CHECK_FALSE(Exists(root.upper() + "/proc"));
  CHECK_FALSE(Exists(root.upper() + "/dev"));
  CHECK_FALSE(Exists(root.upper() + "/etc/resolv.conf"));
  CHECK_FALSE(Exists(root.upper() + "/etc/hosts"));
  CHECK(result->leftover_paths == std::vector<std::string>{"etc"});
  auto has = [&](const char* p) {
    return std::find(result->created_paths.begin(), result->created_paths.end(), p) !=
           result->created_paths.end();
  };
  CHECK(has("proc"));
  CHECK(has("dev"));
  CHECK(has("etc/resolv.conf"));
}

TEST_CASE("sandbox: more layers than one page of mount options") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  SandboxSpec spec = root.Shell("cat /layer-0 /layer-59; ls / | grep -c layer-");
  spec.lower_dirs.clear();
  // 60 layers with long names: about 7 KiB of lowerdir=, topmost first, busybox at the bottom.
  for (int i = 0; i < 60; ++i) {
    std::string dir = root.upper() + "/../layer-" + std::to_string(i) + "-" + std::string(100, 'x');
    REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
    std::ofstream(dir + "/layer-" + std::to_string(i)) << i << "\n";
    spec.lower_dirs.insert(spec.lower_dirs.begin(), CleanPath(dir));
  }
  spec.lower_dirs.push_back(root.lower());
  auto result = RunSandboxed(spec);
  REQUIRE_MESSAGE(result, Why(result));
  CHECK_MESSAGE(result->status.ok(), root.err());
  CHECK(root.out() == "0\n59\n60\n");
}

TEST_CASE("sandbox: an untouched run leaves an empty upper dir") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto result = RunSandboxed(root.Spec({"true"}));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->leftover_paths.empty());
  std::string listing = "ls -A '" + root.upper() + "' | wc -l | grep -qx 0";
  CHECK(std::system(listing.c_str()) == 0);
}

TEST_CASE("sandbox: the host's resolv.conf and hosts are read-only inside") {
  if (SkipWithoutSandbox()) return;
  if (!Exists("/etc/resolv.conf") || !Exists("/etc/hosts")) {
    MESSAGE("skipped: host has no /etc/resolv.conf or /etc/hosts");
    return;
  }
  BusyboxRoot root;
  auto result = RunSandboxed(
      root.Shell("cat /etc/resolv.conf; if echo x >> /etc/hosts; then echo writable; fi"));
  REQUIRE_MESSAGE(result, Why(result));
  std::ifstream host("/etc/resolv.conf");
  std::string expected((std::istreambuf_iterator<char>(host)), std::istreambuf_iterator<char>());
  CHECK(root.out() == expected);
  CHECK(root.err().find("Read-only file system") != std::string::npos);
}

TEST_CASE("sandbox: pid namespace, init and hostname") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto result = RunSandboxed(root.Shell("echo $$; hostname; ls /proc | grep -c '^[0-9]'"));
  REQUIRE_MESSAGE(result, Why(result));
  // pid 1 is the sandbox's init, the shell is 2; /proc lists init, sh, ls, grep at most.
  std::string out = root.out();
  CHECK(out.starts_with("2\nsandbox-test\n"));
  int pids = std::atoi(out.substr(out.rfind('\n', out.size() - 2) + 1).c_str());
  CHECK(pids >= 2);
  CHECK(pids <= 4);
}

TEST_CASE("sandbox: the umask is 0022 whatever the builder's is") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  mode_t old = ::umask(077);
  auto result = RunSandboxed(root.Shell("umask"));
  ::umask(old);
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(root.out() == "0022\n");
}

TEST_CASE("sandbox: background processes do not outlive the command") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  int pipe_fds[2];
  REQUIRE(::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) == 0);
  SandboxSpec spec = root.Shell("sleep 1000 & echo started");
  spec.stdout_fd = pipe_fds[1];
  auto result = RunSandboxed(spec);
  ::close(pipe_fds[1]);
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.ok());
  char buf[64];
  CHECK(::read(pipe_fds[0], buf, sizeof buf) == 8);
  // The sleep held the pipe's write end: EOF (not EAGAIN) proves it died with the namespace.
  CHECK(::read(pipe_fds[0], buf, sizeof buf) == 0);
  ::close(pipe_fds[0]);
}

TEST_CASE("sandbox: signals reach the command; dropping the handle kills the sandbox") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto started = Sandbox::Start(root.Spec({"sleep", "1000"}));
  REQUIRE_MESSAGE(started, Why(started));
  CHECK(started->pid() > 0);
  started->Signal(SIGTERM);
  auto result = started->Wait();
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.signal == SIGTERM);

  BusyboxRoot other;
  pid_t pid = -1;
  {
    auto running = Sandbox::Start(other.Spec({"sleep", "1000"}));
    REQUIRE_MESSAGE(running, Why(running));
    pid = running->pid();
  }
  // Reaped by the destructor: the pid is no longer our child.
  CHECK(::waitpid(pid, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}

TEST_CASE("sandbox: the builder's other fds and signal state do not leak in") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  int leaked[2];
  REQUIRE(::pipe(leaked) == 0);  // no CLOEXEC, as a careless library might leave it
  REQUIRE(::fcntl(leaked[0], F_SETFL, O_NONBLOCK) == 0);
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  SandboxSpec spec = root.Shell("yes | head -c 3 >/dev/null; ls /proc/self/fd; sleep 1000");
  spec.stdout_fd = out[1];
  auto running = Sandbox::Start(spec);
  ::sigaction(SIGPIPE, &old, nullptr);
  ::close(out[1]);
  REQUIRE_MESSAGE(running, Why(running));
  ::close(leaked[1]);
  // `yes` dies of SIGPIPE (default disposition restored), then the listing: fds 0, 1, 2 and
  // the one ls opened for /proc/self/fd.
  std::string listing;
  char buf[64];
  while (listing.size() < 8) {
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    listing.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  CHECK(listing == "0\n1\n2\n3\n");
  // EOF while the sandbox still runs: neither its init nor the command holds the pipe.
  char byte;
  CHECK(::read(leaked[0], &byte, 1) == 0);
  ::close(leaked[0]);
  running->Signal(SIGKILL);
  auto result = running->Wait();
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.signal == SIGKILL);
}

TEST_CASE("sandbox: sandboxes run from several threads at once") {
  if (SkipWithoutSandbox()) return;
  constexpr int kThreads = 4, kRuns = 3;
  std::vector<std::string> outputs(kThreads);
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &outputs, &failures] {
      for (int run = 0; run < kRuns; ++run) {
        BusyboxRoot root;
        auto result =
            RunSandboxed(root.Spec({"echo", std::to_string(t) + "." + std::to_string(run)}));
        if (!result || !result->status.ok()) ++failures[t];
        outputs[t] += root.out();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(failures[t] == 0);
    std::string expected;
    for (int run = 0; run < kRuns; ++run)
      expected += std::to_string(t) + "." + std::to_string(run) + "\n";
    CHECK(outputs[t] == expected);
  }
}

TEST_CASE("sandbox: a failing setup step comes back with its errno") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  SandboxSpec spec = root.Spec({"true"});
  // A directory cannot be bound onto the regular file /bin/busybox.
  spec.binds = {{"/tmp", "/bin/busybox/x", true}};
  auto result = RunSandboxed(spec);
  REQUIRE_FALSE(result);
  CHECK(result.error().sys_errno() == ENOTDIR);
  CHECK(result.error().ToString() ==
        "sandbox setup: create mount point /bin/busybox/x: Not a directory");
}

TEST_CASE("sandbox: mount points resolve symlinks inside the rootfs, never on the host") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  testing::TempDir host;
  // A hostile image: /etc points at a host directory by absolute path.
  REQUIRE(::symlink(host.path().c_str(), (root.lower() + "/etc").c_str()) == 0);
  // Dangling inside the rootfs: setup fails rather than follow it out.
  auto dangling = RunSandboxed(root.Shell("true"));
  REQUIRE_FALSE(dangling);
  CHECK(dangling.error().ToString() ==
        "sandbox setup: create mount point /etc/resolv.conf: No such file or directory");
  CHECK_FALSE(Exists(host / "resolv.conf"));
  // With the same path present in the rootfs, the mount point is made there.
  std::string inside = "mkdir -p '" + root.lower() + host.path() + "'";
  REQUIRE(std::system(inside.c_str()) == 0);
  auto result = RunSandboxed(root.Shell("test -s /etc/resolv.conf"));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.ok());
  CHECK_FALSE(Exists(host / "resolv.conf"));
  CHECK_FALSE(Exists(host / "hosts"));
  CHECK_FALSE(Exists(root.lower() + host.path() + "/resolv.conf"));
  // Reported at its real place and cleaned from there.
  CHECK(std::find(result->created_paths.begin(), result->created_paths.end(),
                  host.path().substr(1) + "/resolv.conf") != result->created_paths.end());
  CHECK(result->leftover_paths.empty());
  std::string listing = "find '" + root.upper() + "' -mindepth 1 >&2; ls -A '" + root.upper() +
                        "' | wc -l | grep -qx 0";
  CHECK(std::system(listing.c_str()) == 0);
}

TEST_CASE("sandbox: extra binds, read-only and read-write") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  testing::TempDir shared;
  std::ofstream(shared / "in") << "from host";
  SandboxSpec spec = root.Shell(
      "cat /mnt/ro/in; if touch /mnt/ro/x 2>/dev/null; then echo ro-writable; fi; "
      "echo back > /mnt/rw/out");
  spec.binds = {{shared.path(), "/mnt/ro", true}, {shared.path(), "/mnt/rw", false}};
  auto result = RunSandboxed(spec);
  REQUIRE_MESSAGE(result, Why(result));
  CHECK_MESSAGE(result->status.ok(), root.err());
  CHECK(root.out() == "from host");
  CHECK(testing::ReadAll(::open((shared / "out").c_str(), O_RDONLY | O_CLOEXEC)) == "back\n");
  // The mount points went away with the run.
  CHECK_FALSE(Exists(root.upper() + "/mnt"));
}

TEST_CASE("sandbox: /dev has working nodes and a private devpts") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto result = RunSandboxed(root.Shell(
      "echo gone > /dev/null && cat /dev/null && test -c /dev/zero && test -c /dev/urandom && "
      "test -L /dev/ptmx && test -d /dev/pts && test -d /dev/shm && test -L /dev/fd && "
      "echo ok > /dev/shm/x && cat /dev/shm/x"));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK_MESSAGE(result->status.ok(), root.err());
  CHECK(root.out() == "ok\n");
}

TEST_CASE("sandbox: host files outside the rootfs are unreachable") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  testing::TempDir host;
  std::ofstream(host / "canary") << "secret";
  auto result = RunSandboxed(root.Shell("cat '" + (host / "canary") + "'"));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.code == 1);
  CHECK(root.out().empty());
  CHECK(root.err().find("No such file or directory") != std::string::npos);
}

TEST_CASE("sandbox: the builder's argv, environment and memory are unreadable through /proc/1") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  // The init is a copy of this test process: its argv/environ are ours until it scrubs them.
  auto result = RunSandboxed(root.Shell(
      "tr -d '\\0' < /proc/1/cmdline; echo; for f in environ maps mem; do "
      "if (: < /proc/1/$f) 2>/dev/null; then echo $f readable; fi; done; "
      "ls /proc/1/root/ >/dev/null 2>&1 && echo root listable; "
      "tr '\\0' '\\n' < /proc/self/environ; echo end"));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.code == 0);
  // The command's own environment is exactly the spec's ("; echo end": a last command is exec'd
  // by sh after its redirection opened the environ of the pre-exec process, which reads empty).
  CHECK(root.out() == "builder-init\nPATH=/bin\nHOME=/\nend\n");
  CHECK(root.err() == "");
  // Only the child's copy was scrubbed.
  auto self = ReadFile("/proc/self/cmdline");
  REQUIRE(self);
  CHECK_FALSE(self->starts_with("builder-init"));
  CHECK_FALSE(self->empty());
}

// Interface names listed in /proc/net/dev text (after its two header lines).
std::vector<std::string> Interfaces(const std::string& dev) {
  std::vector<std::string> out;
  size_t at = 0;
  for (int line = 0; at < dev.size(); ++line) {
    size_t eol = dev.find('\n', at);
    if (eol == std::string::npos) eol = dev.size();
    std::string text = dev.substr(at, eol - at);
    at = eol + 1;
    if (line < 2 || text.find(':') == std::string::npos) continue;
    size_t begin = text.find_first_not_of(' ');
    out.push_back(text.substr(begin, text.find(':') - begin));
  }
  return out;
}

TEST_CASE("sandbox: network none has only the loopback interface, up") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  SandboxSpec spec = root.Shell("cat /proc/net/dev");
  spec.network = NetworkMode::kNone;
  auto result = RunSandboxed(spec);
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(Interfaces(root.out()) == std::vector<std::string>{"lo"});

  BusyboxRoot up;
  SandboxSpec link = up.Spec({"ip", "-o", "link", "show", "lo"});
  link.network = NetworkMode::kNone;
  auto shown = RunSandboxed(link);
  REQUIRE_MESSAGE(shown, Why(shown));
  CHECK(up.out().find(",UP") != std::string::npos);

  // The default is the host's network: the same interfaces as ours.
  BusyboxRoot host;
  auto same = RunSandboxed(host.Shell("cat /proc/net/dev"));
  REQUIRE_MESSAGE(same, Why(same));
  std::ifstream ours("/proc/net/dev");
  std::string dev((std::istreambuf_iterator<char>(ours)), std::istreambuf_iterator<char>());
  CHECK(Interfaces(host.out()) == Interfaces(dev));
}

TEST_CASE("sandbox: a configured network is set up by the parent before the command starts") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  SandboxSpec spec = root.Shell("readlink /proc/self/ns/net; cat /proc/net/dev");
  spec.network = NetworkMode::kConfigured;
  std::string seen;
  int calls = 0;
  spec.configure_network = [&](pid_t child) -> Result<void> {
    ++calls;
    char target[128] = {};
    std::string link = "/proc/" + std::to_string(child) + "/ns/net";
    if (::readlink(link.c_str(), target, sizeof target - 1) < 0) return FailErrno(link, errno);
    seen = target;
    return {};
  };
  auto result = RunSandboxed(spec);
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(calls == 1);
  char ours[128] = {};
  REQUIRE(::readlink("/proc/self/ns/net", ours, sizeof ours - 1) > 0);
  // The callback saw the namespace the command runs in, and it is not ours.
  CHECK(root.out().rfind(seen + "\n", 0) == 0);
  CHECK(seen != std::string(ours));
  CHECK(root.out().find("lo:") != std::string::npos);

  BusyboxRoot failing;
  SandboxSpec bad = failing.Shell("echo ran");
  bad.network = NetworkMode::kConfigured;
  bad.configure_network = [](pid_t) -> Result<void> {
    return Fail(ErrorCode::kIo, "no bridge today");
  };
  auto refused = RunSandboxed(bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().ToString().find("no bridge today") != std::string::npos);
  CHECK(failing.out().empty());

  BusyboxRoot missing;
  SandboxSpec none = missing.Shell("echo ran");
  none.network = NetworkMode::kConfigured;
  CHECK_FALSE(RunSandboxed(none));
}

TEST_CASE("sandbox: capabilities, no_new_privs and seccomp are in force") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto result = RunSandboxed(root.Spec({"cat", "/proc/self/status"}));
  REQUIRE_MESSAGE(result, Why(result));
  std::string status = "\n" + root.out();
  char hex[32];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(DefaultCapabilities()));
  CHECK(StatusField(status, "CapEff") == hex);
  CHECK(StatusField(status, "CapPrm") == hex);
  CHECK(StatusField(status, "CapBnd") == hex);
  CHECK(StatusField(status, "CapInh") == hex);
  CHECK(StatusField(status, "CapAmb") == "0000000000000000");
  CHECK(StatusField(status, "NoNewPrivs") == "1");
  CHECK(StatusField(status, "Seccomp") == "2");
}

TEST_CASE("sandbox: kernel internals in /proc are masked or read-only") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  // Which of them exist depends on the kernel's configuration; /proc/sys always does.
  std::string expected;
  if (Exists("/proc/timer_list")) expected += "0\n";
  if (Exists("/proc/acpi")) expected += "0\n";
  auto result =
      RunSandboxed(root.Shell("test -e /proc/timer_list && wc -c < /proc/timer_list; "
                              "test -e /proc/acpi && ls /proc/acpi | wc -l; "
                              "grep -c ' /proc/sys .*ro,' /proc/mounts; "
                              "if echo 1 > /proc/sys/kernel/ns_last_pid; then echo writable; fi"));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(root.out() == expected + "1\n");
  CHECK(root.err().find("Read-only file system") != std::string::npos);
}

TEST_CASE("sandbox: seccomp denies a new user namespace") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto result = RunSandboxed(root.Shell("unshare -U true"));
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(result->status.code != 0);
  CHECK(root.err().find("Operation not permitted") != std::string::npos);
}

TEST_CASE("sandbox: uid, gid and groups apply; a non-root user has no effective capabilities") {
  if (SkipWithoutSandbox()) return;
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs a full id map (host root)");
    return;
  }
  BusyboxRoot root;
  SandboxSpec spec = root.Shell("id -u; id -g; id -G; grep CapEff /proc/self/status");
  spec.uid = 1000;
  spec.gid = 1001;
  spec.groups = {1001, 27};
  auto result = RunSandboxed(spec);
  REQUIRE_MESSAGE(result, Why(result));
  CHECK(root.out() == "1000\n1001\n1001 27\nCapEff:\t0000000000000000\n");
}

TEST_CASE("sandbox: an unprivileged user gets a single-id map") {
  if (SkipWithoutSandbox()) return;
  if (::geteuid() != 0) {
    MESSAGE("running unprivileged already: the other cases cover the single-id map");
    return;
  }
  constexpr uid_t kNobody = 65534;
  BusyboxRoot root;
  root.ChownTo(kNobody, kNobody);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // As a login shell of nobody would be: no groups, ids switched, still dumpable (so the
    // parent may write the child's /proc/<pid>/uid_map).
    if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) _exit(90);
    ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    auto result = RunSandboxed(
        root.Shell("id -u; cat /proc/self/uid_map | tr -s ' '; echo hi > /made-by-nobody"));
    if (!result) {
      std::string text = result.error().ToString() + "\n";
      (void)!::write(2, text.data(), text.size());
      _exit(91);
    }
    _exit(result->status.code);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(root.out() == "0\n 0 65534 1\n");
  struct stat st;
  REQUIRE(::stat((root.upper() + "/made-by-nobody").c_str(), &st) == 0);
  CHECK(st.st_uid == kNobody);
  // Container uid 1000 does not exist in a single-id map.
  if (pid = ::fork(); pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) _exit(90);
    SandboxSpec spec = root.Spec({"true"});
    spec.uid = 1000;
    auto result = RunSandboxed(spec);
    _exit(!result && result.error().code() == ErrorCode::kInvalidArgument ? 0 : 1);
  }
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("sandbox: invalid specs fail before anything starts") {
  BusyboxRoot root;
  CHECK(RunSandboxed(root.Spec({})).error().code() == ErrorCode::kInvalidArgument);
  SandboxSpec relative = root.Spec({"true"});
  relative.lower_dirs = {"lower"};
  CHECK(RunSandboxed(relative).error().code() == ErrorCode::kInvalidArgument);
  SandboxSpec bad_bind = root.Spec({"true"});
  bad_bind.binds = {{"/no/such/source", "/mnt", true}};
  CHECK_FALSE(RunSandboxed(bad_bind));
}

}  // namespace
}  // namespace builder::sandbox
