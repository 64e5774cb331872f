// Exec into a running sandbox: a new process in its namespaces and cgroup (`builder exec`).
// The joiner is a clone of the caller (possibly multi-threaded): after the clone only system
// calls and reads of the prepared plan, no allocation, as in child_init.cc.
#include "sandbox/sandbox_exec.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "base/path.h"
#include "sandbox/cgroup.h"
#include "sandbox/cgroup_entry.h"
#include "sandbox/child_init.h"
#include "sandbox/child_process.h"

namespace builder::sandbox {
namespace {

// The namespaces joined, user first: it grants the capabilities the other setns calls need.
constexpr struct {
  const char* name;
  int type;
} kNamespaces[] = {{"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},   {"pid", CLONE_NEWPID},
                   {"uts", CLONE_NEWUTS},   {"ipc", CLONE_NEWIPC},  {"net", CLONE_NEWNET},
                   {"cgroup", CLONE_NEWCGROUP}};
constexpr int kNamespaceCount = static_cast<int>(std::size(kNamespaces));

struct ExecPlan {
  const ExecSpec* spec = nullptr;
  const SeccompProgram* seccomp = nullptr;
  int ns_fds[kNamespaceCount] = {};  ///< -1: already ours (joining it again is EINVAL for user)
  int sock = -1;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  bool setgroups_allowed = true;
  uint64_t capabilities = 0;
  int last_cap = 40;
  std::vector<std::string> exec_candidates;
  std::vector<char*> argv, envp;
};

void Send(int sock, MessageType type, const char* text, int err = 0, int code = 0) {
  Message m;
  m.type = type;
  m.err = err;
  m.code = code;
  if (text) {
    size_t n = strnlen(text, sizeof m.text - 1);
    memcpy(m.text, text, n);
  }
  while (::send(sock, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

[[noreturn]] void Die(const ExecPlan& p, const char* what, int err) {
  Send(p.sock, MessageType::kSetupError, what, err);
  ::_exit(126);
}

// In the container (grandchild): cwd, stdio, ids, capabilities, filters, exec.
[[noreturn]] void RunInContainer(const ExecPlan& p) {
  const ExecSpec& spec = *p.spec;
  // setns(mnt) put our root at the container's root; chdir resolves inside it only. A cwd that
  // still reads as unreachable would be a host directory: refuse it.
  if (::chdir(spec.cwd.c_str()) != 0) Die(p, "working directory", errno);
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd) || cwd[0] != '/') Die(p, "working directory outside the container", EPERM);
  int slave = -1;
  if (spec.tty) {
    int master = ::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) Die(p, "open /dev/pts/ptmx", errno);
    int unlock = 0;
    if (::ioctl(master, TIOCSPTLCK, &unlock) != 0) Die(p, "unlock pty", errno);
    if (spec.tty_rows > 0 && spec.tty_cols > 0) {
      winsize ws{};
      ws.ws_row = spec.tty_rows;
      ws.ws_col = spec.tty_cols;
      (void)::ioctl(master, TIOCSWINSZ, &ws);
    }
    slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) Die(p, "open pty slave", errno);
    (void)!::fchown(slave, spec.uid, static_cast<gid_t>(-1));
    if (int err = SendPtyMaster(p.sock, master)) Die(p, "send pty master", err);
    ::close(master);
    if (::setsid() < 0 || ::ioctl(slave, TIOCSCTTY, 0) != 0) Die(p, "controlling terminal", errno);
  }
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) Die(p, "keep capabilities", errno);
  const char* op = "";
  if (int err = DropBoundingSet(p.capabilities, p.last_cap, &op)) Die(p, op, err);
  if (!spec.no_new_privileges) {
    if (int err = InstallSeccomp(*p.seccomp)) Die(p, "install seccomp filter", err);
  }
  if (p.setgroups_allowed && ::syscall(SYS_setgroups, spec.groups.size(), spec.groups.data()) != 0)
    Die(p, "setgroups", errno);
  if (::syscall(SYS_setresgid, spec.gid, spec.gid, spec.gid) != 0) Die(p, "setgid", errno);
  if (::syscall(SYS_setresuid, spec.uid, spec.uid, spec.uid) != 0) Die(p, "setuid", errno);
  if (int err = SetCapabilities(p.capabilities, &op)) Die(p, op, err);
  if (spec.no_new_privileges) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Die(p, "no_new_privs", errno);
    if (int err = InstallSeccomp(*p.seccomp)) Die(p, "install seccomp filter", err);
  }
  const int in = slave >= 0 ? slave : p.stdin_fd;
  const int out = slave >= 0 ? slave : p.stdout_fd;
  const int err_fd = slave >= 0 ? slave : p.stderr_fd;
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err_fd, 2) < 0) Die(p, "stdio", errno);
  // Every other fd, the socket included, closes at exec: nothing of the host stays reachable.
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  Send(p.sock, MessageType::kExecing, nullptr);
  const int err = ExecCandidatesInOrder(p.exec_candidates, p.argv.data(), p.envp.data());
  Send(p.sock, MessageType::kExecError, p.argv[0], err);
  ::_exit(127);
}

// Every fd of the caller but the plan's: none may be open in the container, even before exec.
void CloseOthers(const ExecPlan& p) {
  int keep[4 + kNamespaceCount];
  int n = 0;
  for (int fd : {p.sock, p.stdin_fd, p.stdout_fd, p.stderr_fd}) keep[n++] = fd;
  for (int fd : p.ns_fds) keep[n++] = fd;
  for (int i = 1; i < n; ++i) {
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) std::swap(keep[j - 1], keep[j]);
  }
  unsigned next = 3;
  for (int i = 0; i < n; ++i) {
    const int fd = keep[i];
    if (fd < 0 || static_cast<unsigned>(fd) < next) continue;
    if (static_cast<unsigned>(fd) > next) ::syscall(SYS_close_range, next, fd - 1U, 0U);
    next = static_cast<unsigned>(fd) + 1;
  }
  ::syscall(SYS_close_range, next, ~0U, 0U);
}

// The joiner (child of the caller): waits for kGo (the caller moved it into the cgroup), joins
// the namespaces, then forks the real process as the caller's child (CLONE_PARENT) so that it
// is inside the pid namespace and the caller can wait for it.
void RunJoiner(const void* arg) {
  const ExecPlan& p = *static_cast<const ExecPlan*>(arg);
  // First: the container must never read this copy of the caller's memory or open its exe
  // (/proc/<pid>/exe is the host builder binary: CVE-2019-5736).
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) Die(p, "set non-dumpable", errno);
  CloseOthers(p);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  Message go;
  ssize_t n;
  while ((n = ::recv(p.sock, &go, sizeof go, 0)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof go) || go.type != MessageType::kGo) ::_exit(126);
  for (int i = 0; i < kNamespaceCount; ++i) {
    if (p.ns_fds[i] < 0) continue;
    if (::setns(p.ns_fds[i], kNamespaces[i].type) != 0) Die(p, kNamespaces[i].name, errno);
    ::close(p.ns_fds[i]);
  }
  long pid = ::syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) Die(p, "fork into the pid namespace", errno);
  if (pid == 0) RunInContainer(p);
  Send(p.sock, MessageType::kStarted, nullptr, 0, static_cast<int>(pid));
  ::_exit(0);
}

Result<uint64_t> StartTimeAt(int proc_dir, pid_t pid) {
  UniqueFd fd(::openat(proc_dir, "stat", O_RDONLY | O_CLOEXEC));
  char buf[1024];
  ssize_t n = fd ? ::read(fd.get(), buf, sizeof buf - 1) : -1;
  if (n <= 0) return Fail(ErrorCode::kNotFound, "sandbox process " + std::to_string(pid) + " is gone");
  buf[n] = '\0';
  // Fields after the command name, which may hold spaces and parentheses.
  const char* at = strrchr(buf, ')');
  if (!at) return Fail(ErrorCode::kInternal, "unreadable /proc/" + std::to_string(pid) + "/stat");
  int field = 2;
  for (const char* c = at + 1; *c; ++c) {
    if (*c != ' ') continue;
    if (++field == 22) return std::strtoull(c + 1, nullptr, 10);
  }
  return Fail(ErrorCode::kInternal, "short /proc/" + std::to_string(pid) + "/stat");
}

bool SameNamespace(int fd, const char* name) {
  struct stat theirs, ours;
  const std::string own = std::string("/proc/self/ns/") + name;
  return ::fstat(fd, &theirs) == 0 && ::stat(own.c_str(), &ours) == 0 &&
         theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev;
}

}  // namespace

Result<uint64_t> ProcessStartTime(pid_t pid) {
  UniqueFd dir(::open(("/proc/" + std::to_string(pid)).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return Fail(ErrorCode::kNotFound, "no process " + std::to_string(pid));
  return StartTimeAt(dir.get(), pid);
}

ExecProcess::ExecProcess(ExecProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pty_master_(std::move(other.pty_master_)) {}

ExecProcess& ExecProcess::operator=(ExecProcess&& other) noexcept {
  if (this != &other) {
    Kill();
    pid_ = std::exchange(other.pid_, -1);
    pty_master_ = std::move(other.pty_master_);
  }
  return *this;
}

ExecProcess::~ExecProcess() { Kill(); }

void ExecProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void ExecProcess::Signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

Result<ExitStatus> ExecProcess::Wait() {
  if (pid_ <= 0) return Fail(ErrorCode::kInternal, "exec: not running");
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) return FailErrno("wait for exec'd process", errno);
  }
  pid_ = -1;
  if (WIFSIGNALED(status)) return ExitStatus{.code = 0, .signal = WTERMSIG(status)};
  return ExitStatus{.code = WEXITSTATUS(status), .signal = 0};
}

Result<ExecProcess> ExecIn(pid_t sandbox_init_pid, const ExecSpec& spec) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    return Fail(ErrorCode::kInvalidArgument, "exec: empty argv");
  }
  if (spec.cwd.empty() || spec.cwd.front() != '/') {
    return Fail(ErrorCode::kInvalidArgument, "exec: cwd must be absolute: " + spec.cwd);
  }
  const std::string proc = "/proc/" + std::to_string(sandbox_init_pid);
  // One directory fd pins one process: if the pid is reused, reads through it fail (ESRCH).
  UniqueFd dir(::open(proc.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return Fail(ErrorCode::kNotFound, "exec: no sandbox process " + proc);
  const uint64_t started = BUILDER_TRY(StartTimeAt(dir.get(), sandbox_init_pid));
  if (spec.expected_start_time != 0 && started != spec.expected_start_time) {
    return Fail(ErrorCode::kNotFound,
                "exec: pid " + std::to_string(sandbox_init_pid) + " is another process now");
  }
  ExecPlan plan;
  std::vector<UniqueFd> ns_owned;
  for (int i = 0; i < kNamespaceCount; ++i) {
    const std::string rel = std::string("ns/") + kNamespaces[i].name;
    UniqueFd fd(::openat(dir.get(), rel.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return FailErrno("exec: open " + proc + "/" + rel, errno);
    plan.ns_fds[i] = SameNamespace(fd.get(), kNamespaces[i].name) ? -1 : fd.get();
    ns_owned.push_back(std::move(fd));
  }
  // Still the same process after opening its namespaces.
  if (BUILDER_TRY(StartTimeAt(dir.get(), sandbox_init_pid)) != started) {
    return Fail(ErrorCode::kNotFound, "exec: the sandbox ended");
  }
  if (auto text = ReadFile(proc + "/setgroups")) plan.setgroups_allowed = !text->starts_with("deny");
  if (!plan.setgroups_allowed && !spec.groups.empty()) {
    return Fail(ErrorCode::kUnsupported, "exec: supplementary groups are not available (rootless)");
  }
  std::optional<Cgroup> cgroup;
  if (!spec.cgroup_name.empty()) {
    // The target's own cgroup, not the name under ours: `builder exec` may run in another
    // cgroup (another login session) than the process that started the sandbox.
    cgroup = BUILDER_TRY(Cgroup::OfProcess(sandbox_init_pid));
    for (const std::string& d : cgroup->dirs()) {
      if (!d.ends_with("/" + spec.cgroup_name)) {
        return Fail(ErrorCode::kNotFound, "exec: the sandbox is not in cgroup " +
                                              spec.cgroup_name + " (" + d + ")");
      }
    }
  }

  plan.spec = &spec;
  plan.capabilities = spec.privileged ? AllCapabilities() : spec.capabilities;
  plan.last_cap = LastCapability();
  const SeccompProgram seccomp = BUILDER_TRY(
      SeccompFor(spec.privileged, spec.seccomp, spec.seccomp_profile, plan.capabilities,
                 spec.seccomp_cache_dir));
  plan.seccomp = &seccomp;
  plan.exec_candidates = ExecCandidates(spec.argv, spec.env);
  for (const std::string& a : spec.argv) plan.argv.push_back(const_cast<char*>(a.c_str()));
  plan.argv.push_back(nullptr);
  for (const std::string& e : spec.env) plan.envp.push_back(const_cast<char*>(e.c_str()));
  plan.envp.push_back(nullptr);
  UniqueFd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!dev_null) return FailErrno("open /dev/null", errno);
  // All above 2, so installing them as 0..2 never clobbers one of them.
  UniqueFd stdio[3];
  const int given[3] = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};
  for (int i = 0; i < 3; ++i) {
    stdio[i] = UniqueFd(::fcntl(given[i] >= 0 ? given[i] : dev_null.get(), F_DUPFD_CLOEXEC, 3));
    if (!stdio[i]) return FailErrno("exec: dup stdio", errno);
  }
  plan.stdin_fd = stdio[0].get();
  plan.stdout_fd = stdio[1].get();
  plan.stderr_fd = stdio[2].get();
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return FailErrno("socketpair", errno);
  }
  UniqueFd sock(pair[0]);
  UniqueFd child_sock(pair[1]);
  plan.sock = child_sock.get();

  NamespacedChild joiner =
      BUILDER_TRY(StartInCgroup(cgroup ? &*cgroup : nullptr, 0, &RunJoiner, &plan));
  child_sock.Reset();
  Message go;
  go.type = MessageType::kGo;
  if (::send(sock.get(), &go, sizeof go, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof go)) {
    return FailErrno("exec: start helper", errno);
  }
  // Read to EOF even after an error: the process's pid (from the joiner) may come after the
  // process's own error, and an unreaped child of ours in the sandbox's pid namespace would
  // keep that namespace's init from ever finishing its exit.
  ExecProcess process;
  bool execing = false;
  std::optional<Error> error;
  for (;;) {
    auto m = ReceiveMessage(sock.get(), &process.pty_master_);
    if (!m) {
      error = error ? error : std::optional<Error>(std::move(m.error()));
      break;
    }
    if (!*m) break;
    switch ((*m)->type) {
      case MessageType::kStarted:
        process.pid_ = (*m)->code;
        break;
      case MessageType::kExecing:
        execing = true;
        break;
      case MessageType::kPtyMaster:
        break;
      case MessageType::kSetupError:
        if (!error) error = Error::FromErrno(MessageText(**m), (*m)->err).Context("exec setup");
        break;
      case MessageType::kExecError:
        if (!error) error = ExecError(**m);
        break;
      default:
        if (!error) error = Error(ErrorCode::kInternal, "exec: unexpected message");
    }
  }
  auto helper = joiner.Wait();
  if (error) return Fail(std::move(*error));  // `process` kills and reaps what started
  if (process.pid_ <= 0 || !execing) {
    return Fail(ErrorCode::kInternal,
                "exec: helper ended early" + (helper ? " (" + helper->ToString() + ")" : ""));
  }
  return process;
}

}  // namespace builder::sandbox
