// Running builder itself as root of a user namespace over the user's subordinate ids.
#include "sandbox/user_namespace_reexec.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.h"
#include "sandbox/child_process.h"

extern char** environ;

namespace builder::sandbox {
namespace {

constexpr const char* kSelf = "/proc/self/exe";
constexpr char kGo = 'g';

// The child being waited for, read by the signal handler (0: none).
volatile sig_atomic_t g_forward_to = 0;

void ForwardSignal(int sig, siginfo_t* info, void*) {
  // A terminal's SIGINT/SIGHUP (si_code SI_KERNEL) reaches the whole foreground process group,
  // the child included; forwarding it too would deliver it twice.
  if (info != nullptr && info->si_code == SI_KERNEL) return;
  const pid_t pid = g_forward_to;
  if (pid > 0) ::kill(pid, sig);
}

// Forwards SIGINT/SIGTERM/SIGHUP to `pid` while alive; restores the old dispositions after.
class SignalForwarding {
 public:
  explicit SignalForwarding(pid_t pid) {
    g_forward_to = pid;
    struct sigaction sa {};
    sa.sa_sigaction = &ForwardSignal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    ::sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &sa, &old_[i]);
  }
  SignalForwarding(const SignalForwarding&) = delete;
  SignalForwarding& operator=(const SignalForwarding&) = delete;
  ~SignalForwarding() {
    for (size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
    g_forward_to = 0;
  }

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> old_{};
};

// Everything the child needs, prepared before the fork: it may only make async-signal-safe calls.
struct ChildArgs {
  int sock = -1;
  pid_t parent = -1;
  const char* program = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
};

void ReportAndExit(int sock, int err) {
  (void)::send(sock, &err, sizeof err, MSG_NOSIGNAL);
  ::_exit(127);
}

void ChildBody(const void* arg) {
  const auto* a = static_cast<const ChildArgs*>(arg);
  char go = 0;
  ssize_t n;
  do {
    n = ::recv(a->sock, &go, 1, 0);
  } while (n < 0 && errno == EINTR);
  // No go: the parent failed to install the maps and reports that itself.
  if (n != 1 || go != kGo) ::_exit(127);
  // Become 0 in every id slot: the maps make that the user, and exec as uid 0 keeps the full
  // capability set of the namespace.
  if (::setresgid(0, 0, 0) != 0 || ::setresuid(0, 0, 0) != 0) ReportAndExit(a->sock, errno);
  // A launcher killed outright (SIGKILL cannot be forwarded) takes builder with it. Set after
  // the id change, which clears it; the parent may already be gone by now.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) ReportAndExit(a->sock, errno);
  if (::getppid() != a->parent) ::_exit(127);
  ::execve(a->program, a->argv, a->envp);
  ReportAndExit(a->sock, errno);
}

std::vector<std::string> MarkedEnvironment() {
  const std::string prefix = std::string(kUserNamespaceMarker) + "=";
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with(prefix)) env.emplace_back(*e);
  }
  env.push_back(prefix + "1");
  return env;
}

// exec of /proc/self/exe names the process "exe" (ps, and /proc/1/comm of every RUN): take the
// binary's own name back.
void RestoreProcessName() {
  char path[PATH_MAX];
  ssize_t n = ::readlink(kSelf, path, sizeof path - 1);
  if (n <= 0) return;
  path[n] = '\0';
  std::string_view name(path, static_cast<size_t>(n));
  if (name.ends_with(" (deleted)")) name.remove_suffix(10);
  name = name.substr(name.rfind('/') + 1);
  const std::string comm(name.substr(0, 15));  // TASK_COMM_LEN - 1
  if (!comm.empty()) ::prctl(PR_SET_NAME, comm.c_str(), 0, 0, 0);
}

}  // namespace

Result<std::optional<IdMaps>> UserNamespaceReexecMaps() {
  const char* marker = std::getenv(kUserNamespaceMarker);
  const bool reexecuted = marker != nullptr && *marker != '\0';
  if (reexecuted && ::geteuid() == 0) RestoreProcessName();
  if (reexecuted || ::geteuid() == 0) return std::nullopt;
  IdMaps maps = BUILDER_TRY(IdMapsForCurrentUser());
  if (!maps.use_helpers) return std::nullopt;
  return maps;
}

Result<int> ReexecInUserNamespace(const IdMaps& maps, char* const* argv) {
  return RunInUserNamespace(maps, kSelf, argv);
}

Result<int> RunInUserNamespace(const IdMaps& maps, const char* program, char* const* argv) {
  if (argv == nullptr || argv[0] == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "re-exec in a user namespace: empty argv");
  }
  const std::vector<std::string> env = MarkedEnvironment();
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return FailErrno("socketpair", errno);
  }
  UniqueFd sock(pair[0]);
  UniqueFd child_sock(pair[1]);
  ChildArgs args{.sock = child_sock.get(),
                 .parent = ::getpid(),
                 .program = program,
                 .argv = argv,
                 .envp = envp.data()};

  NamespacedChild child = BUILDER_TRY(NamespacedChild::Start(CLONE_NEWUSER, &ChildBody, &args));
  child_sock.Reset();
  SignalForwarding forwarding(child.pid());
  if (auto applied = ApplyIdMaps(child.pid(), maps); !applied) {
    return Fail(std::move(applied.error()).Context("write the id maps"));
  }
  if (::send(sock.get(), &kGo, 1, MSG_NOSIGNAL) != 1) return FailErrno("start the child", errno);
  // The child's end closes on a successful exec (CLOEXEC); an errno arrives otherwise.
  int err = 0;
  ssize_t n;
  do {
    n = ::recv(sock.get(), &err, sizeof err, 0);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof err)) {
    (void)child.Wait();
    return FailErrno(std::string("run ") + program + " as root of the user namespace", err);
  }
  auto status = child.Wait();
  if (!status) {
    return Fail(ErrorCode::kInternal,
                "wait for " + std::string(program) + " in the user namespace: " +
                    status.error().Describe());
  }
  return status->signal != 0 ? 128 + status->signal : status->code;
}

}  // namespace builder::sandbox
