// The container monitor and how callers launch it.
#include "runner/monitor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "base/file_lock.h"
#include "base/path.h"
#include "base/staged_file.h"
#include "oci/remove_tree.h"
#include "runner/clock.h"
#include "runner/attach_channel.h"
#include "runner/container_control.h"
#include "runner/container_log.h"
#include "runner/container_sandbox.h"
#include "runner/event_log.h"
#include "runner/health_checker.h"
#include "runner/monitor_io.h"
#include "runner/network/hosts_file.h"
#include "runner/networks.h"
#include "runner/process_identity.h"
#include "sandbox/pasta.h"
#include "sandbox/sandbox.h"
#include "sandbox/sandbox_exec.h"

extern char** environ;

namespace builder::runner {
namespace {

constexpr std::uint64_t kLogMaxBytes = 16 << 20;
constexpr int kReportFd = 3;

void Report(int* fd, const std::string& line) {
  if (*fd < 0) return;
  (void)WriteAll(*fd, line, "monitor report");
}

void CloseReport(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

bool ShouldRestart(const RestartPolicy& policy, const ContainerState& state) {
  if (state.stop_requested) return false;
  if (policy.name == "always" || policy.name == "unless-stopped") return true;
  if (policy.name == "on-failure") {
    return state.exit_code != 0 &&
           (policy.max_retries <= 0 || state.restart_count < policy.max_retries);
  }
  return false;
}

// The monitor in a forked (not re-executed) child: what an exec would have reset, reset here.
int RunForkedMonitor(const ContainerStore& store, const std::string& id, char** envp) {
  // The caller's descriptors (store locks among them: a flock lives as long as any copy of its
  // descriptor) are not the monitor's.
  ::close_range(kReportFd + 1, ~0U, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) {
      ::signal(sig, SIG_DFL);
    }
  }
  environ = envp;
  // `ps` shows the caller's command line (PR_SET_MM needs more than root has here) under the
  // name builder-monitor.
  ::prctl(PR_SET_NAME, "builder-monitor");
  return RunMonitor(store, id, kReportFd);
}

}  // namespace

int StartFailureExitCode(const Error& error) {
  if (error.code() == ErrorCode::kNotFound && error.message().starts_with("exec ")) return 127;
  if (error.code() == ErrorCode::kPermission && error.message().starts_with("exec ")) return 126;
  return 125;
}

// The bridge networks of one run of a bridged container: the configure_network hook attaches
// each (the monitor holds the leases), Release detaches them when the run ends. Without the
// right to configure the host's network (rootless) the container's namespace gets pasta
// instead, a child of the monitor that dies with it.
class NetworkEndpoint {
 public:
  NetworkEndpoint(const ContainerStore& store, const ContainerSpec& spec)
      : store_(store), root_(DirName(store.dir())), spec_(spec) {}
  NetworkEndpoint(const NetworkEndpoint&) = delete;
  NetworkEndpoint& operator=(const NetworkEndpoint&) = delete;
  ~NetworkEndpoint() { Release(); }

  Result<void> Prepare(sandbox::SandboxSpec& sspec) {
    if (!spec_.bridged()) return {};
    if (!sandbox::HostNetworkAdmin()) return PreparePasta(sspec);
    nets_.emplace(BUILDER_TRY(Networks::Open(root_)));
    (void)nets_->ReclaimDead();  // leases of monitors killed without cleaning up
    // `network connect`/`disconnect` edit the stored spec: a restart joins what it says now.
    std::vector<NetworkAttachment> networks = spec_.networks;
    if (auto now = store_.LoadSpec(spec_.id)) networks = now->networks;
    for (size_t i = 0; i < networks.size(); ++i) {
      AttachRequest r;
      r.network = networks[i].name;
      r.container_id = spec_.id;
      r.name = spec_.name;
      r.hostname = spec_.hostname;
      r.aliases = networks[i].aliases;
      r.interface = "eth" + std::to_string(i);
      r.holder_pid = ::getpid();
      r.hosts_file = sspec.hosts_file;
      if (i == 0) {  // ports, DNS, extra hosts and links belong to the first network
        r.extra_hosts = spec_.extra_hosts;
        r.dns = spec_.dns;
        r.links = spec_.links;
        r.resolv_conf_file = sspec.resolv_conf_file;
        for (const std::string& p : spec_.ports) r.ports.push_back(BUILDER_TRY(network::ParsePortMapping(p)));
      }
      requests_.push_back(std::move(r));
    }
    sspec.configure_network = [this](pid_t child) -> Result<void> {
      attached_ = true;
      for (const AttachRequest& r : requests_) BUILDER_TRY(nets_->Attach(r, child));
      return {};
    };
    return {};
  }

  void Release() {
    if (attached_) (void)nets_->DetachAll(spec_.id);
    attached_ = false;
    if (pasta_) {
      pasta_.reset();
      (void)store_.UpdateState(spec_.id, [](ContainerState& s) { s.published_ports.clear(); });
    }
  }

 private:
  // Rootless: only the default network, through pasta, which copies the host's address and
  // routes into the namespace and forwards the published ports.
  Result<void> PreparePasta(sandbox::SandboxSpec& sspec) {
    if (spec_.network != network::kDefaultNetwork) {
      return Fail(ErrorCode::kUnsupported, "network " + spec_.network +
                                               ": rootless containers have only the default network (bridge, through pasta), host and none");
    }
    std::vector<sandbox::PastaPort> ports;
    std::vector<std::string> shown;
    for (const std::string& text : spec_.ports) {
      network::PortMapping m = BUILDER_TRY(network::ParsePortMapping(text));
      const bool udp = m.protocol == "udp";
      if (m.host_port == 0) m.host_port = BUILDER_TRY(sandbox::PickFreePort(m.host_ip, udp));
      ports.push_back({m.host_ip, m.host_port, m.container_port, udp});
      shown.push_back(std::to_string(m.container_port) + "/" + m.protocol + " -> " +
                      (m.host_ip.empty() ? "0.0.0.0" : m.host_ip) + ":" + std::to_string(m.host_port));
    }
    // --dns, else the host's nameservers with a loopback one (127.0.0.53) relayed by pasta.
    if (!sspec.resolv_conf_file.empty()) {
      BUILDER_TRY(network::RewriteInPlace(
          sspec.resolv_conf_file, network::ResolvConfContent(spec_.dns, ReadFile("/etc/resolv.conf").value_or(""),
                                                             sandbox::kPastaDnsForward)));
    }
    sspec.configure_network = [this, ports = std::move(ports), shown = std::move(shown)](pid_t child) -> Result<void> {
      pasta_.emplace(BUILDER_TRY(sandbox::Pasta::Start(child, ports, store_.DirOf(spec_.id))));
      BUILDER_TRY(store_.UpdateState(spec_.id, [&](ContainerState& s) { s.published_ports = shown; }));
      return {};
    };
    return {};
  }

  const ContainerStore& store_;
  std::string root_;
  const ContainerSpec& spec_;
  std::optional<Networks> nets_;
  std::vector<AttachRequest> requests_;
  bool attached_ = false;
  std::optional<sandbox::Pasta> pasta_;
};

int RunMonitor(const ContainerStore& store, const std::string& id, int report_fd) {
  ::signal(SIGPIPE, SIG_IGN);
  // The report pipe must not leak into the container's processes.
  ::fcntl(report_fd, F_SETFD, FD_CLOEXEC);
  int report = report_fd;
  auto lock = FileLock::TryAcquire(store.MonitorLockPath(id), FileLock::Mode::kExclusive);
  if (!lock) {
    Report(&report, "err 1 container " + id + " is already running\n");
    return 1;
  }
  auto spec = store.LoadSpec(id);
  if (!spec) {
    Report(&report, "err 1 " + spec.error().ToString() + "\n");
    return 1;
  }
  const pid_t self = ::getpid();
  const std::uint64_t self_start = sandbox::ProcessStartTime(self).value_or(0);
  auto marked = store.UpdateState(id, [&](ContainerState& s) {
    s.monitor_pid = self;
    s.monitor_start = self_start;
    s.stop_requested = false;
    s.error.clear();
  });
  auto log = LogWriter::Open(store.LogPath(id), kLogMaxBytes);
  auto listen = ListenAttach(store.DirOf(id));
  if (!marked || !log || !listen) {
    const Error& e = !marked ? marked.error() : !log ? log.error() : listen.error();
    Report(&report, "err 1 " + e.ToString() + "\n");
    return 1;
  }

  bool first = true;
  std::string exit_report;
  // The last run's mount namespace: its teardown waits for RCU grace periods, so it happens
  // after the caller heard of the exit, yet before the upper dir is mounted again or deleted.
  UniqueFd mount_ns;
  std::int64_t backoff_ms = 100;
  for (;;) {
    mount_ns.Reset();
    const std::int64_t run_began = MonotonicMs();
    NetworkEndpoint endpoint(store, *spec);
    auto started = [&]() -> Result<sandbox::Sandbox> {
      sandbox::SandboxSpec sspec = BUILDER_TRY(SandboxSpecFor(store, *spec));
      BUILDER_TRY(endpoint.Prepare(sspec));
      ContainerIo io;
      io.tty = spec->tty;
      Pipe out, err, in;
      if (spec->tty) {
        sspec.tty = true;
        sspec.tty_rows = spec->tty_rows;
        sspec.tty_cols = spec->tty_cols;
      } else {
        out = BUILDER_TRY(MakePipe());
        err = BUILDER_TRY(MakePipe());
        sspec.stdout_fd = out.write.get();
        sspec.stderr_fd = err.write.get();
        if (spec->open_stdin) {
          in = BUILDER_TRY(MakePipe());
          sspec.stdin_fd = in.read.get();
        }
      }
      sandbox::Sandbox sb = BUILDER_TRY(sandbox::Sandbox::Start(sspec));
      const pid_t pid = sb.pid();
      const std::uint64_t pid_start = sandbox::ProcessStartTime(pid).value_or(0);
      BUILDER_TRY(store.UpdateState(id, [&](ContainerState& s) {
        s.status = Status::kRunning;
        s.pid = pid;
        s.pid_start = pid_start;
        s.started_at = NowTimestamp();
        s.exit_code = 0;
        s.oom_killed = false;
        s.error.clear();
      }));
      RecordEvent(DirName(store.dir()), ContainerEvent(*spec, "start"));
      if (first) Report(&report, "ok\n");
      HealthChecker health(store, *spec, pid, pid_start);
      if (spec->tty) {
        io.out = sb.TakePtyMaster();  // output and input both
      } else {
        out.write.Reset();
        err.write.Reset();
        in.read.Reset();
        io.out = std::move(out.read);
        io.err = std::move(err.read);
        io.input = std::move(in.write);
      }
      ServeContainerIo(std::move(io), listen->get(), *log, sb);
      return sb;
    }();
    if (!started) {
      const Error& e = started.error();
      const int code = StartFailureExitCode(e);
      (void)store.UpdateState(id, [&](ContainerState& s) {
        // docker leaves a container that never started "created", with the exit code set.
        s.status = first ? Status::kCreated : Status::kExited;
        s.pid = 0;
        s.exit_code = code;
        s.error = e.ToString();
        if (!first) s.finished_at = NowTimestamp();
      });
      if (first) Report(&report, "err " + std::to_string(static_cast<int>(e.code())) + " " + e.ToString() + "\n");
      break;
    }
    auto result = started->Wait();
    mount_ns = started->TakeMountNamespace();
    endpoint.Release();
    int exit_code = 255;
    if (result) {
      exit_code = result->status.signal ? 128 + result->status.signal : result->status.code;
    }
    // Before the state says exited: whoever waits for that (stop) records its event after die.
    if (result && result->oom_killed) RecordEvent(DirName(store.dir()), ContainerEvent(*spec, "oom"));
    RecordEvent(DirName(store.dir()), ContainerEvent(*spec, "die", {{"exitCode", std::to_string(exit_code)}}));
    auto state = store.UpdateState(id, [&](ContainerState& s) {
      s.status = Status::kExited;
      s.pid = 0;
      s.exit_code = exit_code;
      s.finished_at = NowTimestamp();
      s.oom_killed = result && result->oom_killed;
      if (!result) s.error = result.error().ToString();
    });
    if (first) exit_report = "exit " + std::to_string(exit_code) + "\n";
    first = false;
    if (!state || !ShouldRestart(spec->restart, *state)) break;
    // A caller attached to the first run hears of its end now: the container runs on.
    Report(&report, exit_report);
    CloseReport(&report);
    // docker's backoff: 100ms doubling, back to 100ms after a run of 10s or more.
    if (MonotonicMs() - run_began >= 10000) backoff_ms = 100;
    (void)store.UpdateState(id, [](ContainerState& s) {
      s.status = Status::kRestarting;
      s.restart_count++;
    });
    const std::int64_t until = MonotonicMs() + backoff_ms;
    backoff_ms = std::min<std::int64_t>(backoff_ms * 2, 60000);
    bool stop = false;
    while (!stop && MonotonicMs() < until) {
      ::usleep(20000);
      auto now = store.LoadState(id);
      stop = !now || now->stop_requested;
    }
    if (stop) {
      (void)store.UpdateState(id, [](ContainerState& s) { s.status = Status::kExited; });
      break;
    }
    auto reloaded = store.LoadSpec(id);
    if (reloaded) spec = std::move(reloaded);
  }
  // The caller hears of the exit once this monitor is done with the container, so that what it
  // runs next (`rm`, `start`, `ps -a` after a --rm) sees it settled: gone with --rm (as docker's),
  // else exited and unlocked.
  if (!spec->auto_remove) {
    // `start` may mount the upper dir again as soon as the lock is free.
    mount_ns.Reset();
    (void)store.UpdateState(id, [](ContainerState& s) {
      s.monitor_pid = 0;
      s.monitor_start = 0;
    });
    { FileLock released = std::move(*lock); }
    Report(&report, exit_report);
    CloseReport(&report);
    return 0;
  }
  auto trash = store.MoveToTrash(id);
  Report(&report, exit_report);
  CloseReport(&report);
  mount_ns.Reset();
  if (trash) {
    (void)oci::RemoveTree(*trash);
    ReleaseVolumes(store, *spec, true);
  }
  return 0;
}

Result<StartedContainer> StartContainer(const ContainerStore& store, const std::string& id) {
  Pipe report = BUILDER_TRY(MakePipe());
  // Everything the children need is built before fork: after it only async-signal-safe calls.
  // Absolute: the monitor runs from "/" so it pins no directory of the caller's.
  char resolved[PATH_MAX];
  if (::realpath(DirName(store.dir()).c_str(), resolved) == nullptr) {
    return FailErrno("resolve " + DirName(store.dir()), errno);
  }
  const std::string root = resolved;
  std::vector<std::string> args = {"builder", "debug", kMonitorCommand, id};
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "BUILDER_ROOT=", 13) != 0) env_strings.emplace_back(*e);
  }
  env_strings.push_back("BUILDER_ROOT=" + root);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  UniqueFd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!dev_null) return FailErrno("open /dev/null", errno);
  const std::string log_path = store.LogPath(id);
  UniqueFd log(::open(log_path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600));
  if (!log) return FailErrno("open log " + log_path, errno);
  ::lseek(log.get(), 0, SEEK_END);
  // A single-threaded caller's child may go on in C++ without exec: builder and its libraries
  // are loaded already, and loading them again cost more than the rest of a `run --rm true`.
  // After a pull (threads) only an exec is safe.
  const bool exec_monitor = CurrentThreadCount() != 1;
  std::optional<ContainerStore> monitor_store;
  if (!exec_monitor) monitor_store.emplace(BUILDER_TRY(ContainerStore::Open(root)));
  std::fflush(nullptr);  // nothing buffered may be written twice

  pid_t pid = ::fork();
  if (pid < 0) return FailErrno("fork monitor", errno);
  if (pid == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    if (::chdir("/") != 0) ::_exit(127);
    ::dup2(dev_null.get(), 0);
    ::dup2(dev_null.get(), 1);
    ::dup2(dev_null.get(), 2);
    if (report.write.get() == kReportFd) {
      ::fcntl(kReportFd, F_SETFD, 0);
    } else {
      ::dup2(report.write.get(), kReportFd);
    }
    if (exec_monitor) {
      ::execve("/proc/self/exe", argv.data(), envp.data());
      ::_exit(127);
    }
    ::_exit(RunForkedMonitor(*monitor_store, id, envp.data()));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  report.write.Reset();
  // The first line: "ok" once the command runs, or "err CODE MESSAGE".
  std::string line;
  char c;
  for (;;) {
    ssize_t n = ::read(report.read.get(), &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    line += c;
  }
  if (line == "ok") return StartedContainer{std::move(report.read), std::move(log)};
  if (line.starts_with("err ")) {
    std::size_t space = line.find(' ', 4);
    int code = std::atoi(line.substr(4, space - 4).c_str());
    std::string message = space == std::string::npos ? "" : line.substr(space + 1);
    return Fail(ErrorCode(code), message);
  }
  return Fail(ErrorCode::kInternal, "the container's monitor ended before starting it");
}

}  // namespace builder::runner
