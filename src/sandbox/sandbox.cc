// Running one process in a fresh set of namespaces over an overlayfs rootfs.
#include "sandbox/sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <optional>

#include "base/path.h"
#include "sandbox/capabilities.h"
#include "sandbox/cgroup_entry.h"
#include "sandbox/child_init.h"
#include "sandbox/id_map.h"
#include "sandbox/mount_plan.h"
#include "sandbox/seccomp_cache.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/seccomp_profile.h"

namespace builder::sandbox {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

Result<void> CheckIds(const SandboxSpec& spec, const IdMaps& maps) {
  const char* why = maps.uids.size() == 1 && maps.uids[0].size == 1
                        ? " (rootless without /etc/subuid ranges: only container id 0 exists)"
                        : "";
  if (!maps.MapsUid(spec.uid)) {
    return Fail(ErrorCode::kInvalidArgument,
                "uid " + std::to_string(spec.uid) + " is not mapped in the sandbox" + why);
  }
  if (!maps.MapsGid(spec.gid)) {
    return Fail(ErrorCode::kInvalidArgument,
                "gid " + std::to_string(spec.gid) + " is not mapped in the sandbox" + why);
  }
  for (gid_t g : spec.groups) {
    if (!maps.MapsGid(g)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "group " + std::to_string(g) + " is not mapped in the sandbox" + why);
    }
    if (!maps.setgroups_allowed && g != spec.gid) {
      return Fail(ErrorCode::kUnsupported,
                  "supplementary groups need subordinate gids (/etc/subgid) when rootless");
    }
  }
  return {};
}

Result<UniqueFd> DupHigh(int fd, const char* what) {
  int out = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (out < 0) return FailErrno(std::string("dup ") + what, errno);
  return UniqueFd(out);
}

Result<void> CheckLimits(const SandboxSpec& spec) {
  for (const ResourceLimit& limit : spec.rlimits) {
    rlimit current;
    if (::getrlimit(limit.resource, &current) != 0) {
      return FailErrno("rlimit " + std::to_string(limit.resource), errno);
    }
    if (limit.soft > limit.hard) {
      return Fail(ErrorCode::kInvalidArgument,
                  "rlimit " + std::to_string(limit.resource) + ": soft limit above hard limit");
    }
    if (current.rlim_max != RLIM_INFINITY && limit.hard > current.rlim_max) {
      return Fail(ErrorCode::kInvalidArgument,
                  "rlimit " + std::to_string(limit.resource) + ": hard limit " +
                      std::to_string(limit.hard) + " is above the current " +
                      std::to_string(current.rlim_max) + " (limits can only be lowered)");
    }
  }
  return {};
}

}  // namespace

std::vector<std::string> ExecCandidates(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env) {
  const std::string& program = argv.front();
  if (program.find('/') != std::string::npos) return {program};
  std::string path = kDefaultPath;
  for (const std::string& e : env) {
    if (e.starts_with("PATH=")) path = e.substr(5);
  }
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = std::min(path.find(':', start), path.size());
    std::string dir = path.substr(start, colon - start);
    start = colon + 1;
    if (dir.empty()) dir = ".";
    out.push_back(dir + "/" + program);
  }
  return out;
}

// Receives one message (and an fd passed with it, kept in *fd); nullopt when the child closed
// its end (it exited, or exec'd the command).
Result<std::optional<Message>> ReceiveMessage(int sock, UniqueFd* fd) {
  Message m;
  for (;;) {
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{&m, sizeof m};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n > 0) {
      for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
        int got;
        memcpy(&got, CMSG_DATA(cm), sizeof got);
        UniqueFd owned(got);
        if (fd) *fd = std::move(owned);
      }
    }
    if (n == 0) return std::nullopt;
    if (n == static_cast<ssize_t>(sizeof m)) return m;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FailErrno("receive from sandbox", errno);
    return Fail(ErrorCode::kInternal, "sandbox: short message");
  }
}

std::string MessageText(const Message& m) {
  return std::string(m.text, strnlen(m.text, sizeof m.text));
}

Error ExecError(const Message& m) {
  ErrorCode code = m.err == ENOENT || m.err == ENOTDIR ? ErrorCode::kNotFound
                   : m.err == EACCES || m.err == EPERM ? ErrorCode::kPermission
                                                       : ErrorCode::kIo;
  return Error(code, "exec " + MessageText(m) + ": " + ErrnoText(m.err), m.err);
}

Result<SeccompProgram> SeccompFor(bool privileged, SeccompMode mode, const std::string& profile,
                                  uint64_t caps, const std::string& cache_dir) {
  if (privileged || mode == SeccompMode::kUnconfined) return SeccompProgram{};
  if (mode == SeccompMode::kProfile) {
    return CachedSeccompProgram(cache_dir, "profile caps=" + std::to_string(caps) + "\n" + profile,
                                [&] { return BuildSeccompProgramFromProfile(profile, caps); });
  }
  return CachedSeccompProgram(cache_dir, "default", [] { return BuildDefaultSeccompProgram(); });
}

struct Sandbox::State {
  NamespacedChild child;
  UniqueFd sock;
  UniqueFd pty_master;
  UniqueFd mount_ns;  // SandboxSpec::hold_mount_namespace
  std::optional<Cgroup> cgroup;
  bool oom_killed = false;
  std::string merged_dir;
  std::string upper_dir;
  bool discard_upper = false;
  std::vector<std::string> created;
  bool cleaned = false;

  // Once the child is gone the upper dir is ours again (a held mount namespace still mounts
  // it, but nothing runs there to see it):
  // removes the mount points the sandbox made that are still untouched, deepest first, and
  // returns the ones that remain.
  std::vector<std::string> CleanUp() {
    std::vector<std::string> leftover;
    if (cleaned) return leftover;
    cleaned = true;
    for (auto it = created.rbegin(); !discard_upper && it != created.rend(); ++it) {
      const std::string path = upper_dir + "/" + *it;
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0) continue;
      if (S_ISREG(st.st_mode) && st.st_size == 0)
        ::unlink(path.c_str());
      else if (S_ISDIR(st.st_mode))
        ::rmdir(path.c_str());
      if (::lstat(path.c_str(), &st) == 0) leftover.insert(leftover.begin(), *it);
    }
    if (!merged_dir.empty()) ::rmdir(merged_dir.c_str());
    RemoveCgroup();
    return leftover;
  }

  // The pid namespace is gone, but the kernel may still be releasing its last tasks.
  void RemoveCgroup() {
    if (!cgroup) return;
    oom_killed = oom_killed || cgroup->OomKilled();
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto removed = cgroup->Remove();
      if (removed || removed.error().sys_errno() != EBUSY) break;
      ::usleep(10000);
    }
    cgroup.reset();
  }

  ~State() {
    if (child.running()) {
      child.Kill(SIGKILL);
      (void)child.Wait();
    }
    CleanUp();
  }
};

Sandbox::Sandbox(std::unique_ptr<State> state) : state_(std::move(state)) {}
Sandbox::Sandbox(Sandbox&&) noexcept = default;
Sandbox& Sandbox::operator=(Sandbox&&) noexcept = default;
Sandbox::~Sandbox() = default;

pid_t Sandbox::pid() const { return state_ ? state_->child.pid() : -1; }

void Sandbox::Signal(int sig) {
  if (state_) state_->child.Kill(sig);
}

UniqueFd Sandbox::TakePtyMaster() { return state_ ? std::move(state_->pty_master) : UniqueFd(); }

UniqueFd Sandbox::TakeMountNamespace() {
  return state_ ? std::move(state_->mount_ns) : UniqueFd();
}

Result<void> Sandbox::Resize(unsigned short rows, unsigned short cols) {
  if (!state_ || !state_->pty_master) return Fail(ErrorCode::kInvalidArgument, "sandbox: no tty");
  winsize ws{};
  ws.ws_row = rows;
  ws.ws_col = cols;
  if (::ioctl(state_->pty_master.get(), TIOCSWINSZ, &ws) != 0) return FailErrno("resize tty", errno);
  return {};
}

bool Sandbox::oom_killed() const {
  if (!state_) return false;
  return state_->oom_killed || (state_->cgroup && state_->cgroup->OomKilled());
}

const Cgroup* Sandbox::cgroup() const {
  return state_ && state_->cgroup ? &*state_->cgroup : nullptr;
}

Result<Sandbox> Sandbox::Start(const SandboxSpec& spec) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    return Fail(ErrorCode::kInvalidArgument, "sandbox: empty argv");
  }
  if (spec.cwd.empty() || spec.cwd.front() != '/') {
    return Fail(ErrorCode::kInvalidArgument, "sandbox: cwd must be absolute: " + spec.cwd);
  }
  const IdMaps maps = BUILDER_TRY(IdMapsForCurrentUser());
  BUILDER_TRY(CheckIds(spec, maps));
  const MountPlan mounts = BUILDER_TRY(BuildMountPlan(spec, maps.MapsGid(5)));
  BUILDER_TRY(CheckLimits(spec));
  const uint64_t caps = spec.privileged ? AllCapabilities() : spec.capabilities;
  const SeccompProgram seccomp = BUILDER_TRY(SeccompFor(spec.privileged, spec.seccomp, spec.seccomp_profile, caps, spec.seccomp_cache_dir));

  auto state = std::make_unique<State>();
  state->upper_dir = spec.upper_dir;
  state->discard_upper = spec.discard_upper;
  std::string tmpl = DirName(spec.work_dir) + "/sandbox-root-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return FailErrno("create sandbox mount point " + tmpl, errno);
  state->merged_dir = tmpl;
  // The child maps fd paths back into the rootfs by this prefix: it must be canonical.
  char canonical[PATH_MAX];
  if (!::realpath(tmpl.c_str(), canonical)) return FailErrno("resolve " + tmpl, errno);
  state->merged_dir = canonical;

  UniqueFd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!dev_null) return FailErrno("open /dev/null", errno);
  UniqueFd in =
      BUILDER_TRY(DupHigh(spec.stdin_fd >= 0 ? spec.stdin_fd : dev_null.get(), "stdin"));
  UniqueFd out =
      BUILDER_TRY(DupHigh(spec.stdout_fd >= 0 ? spec.stdout_fd : dev_null.get(), "stdout"));
  UniqueFd err =
      BUILDER_TRY(DupHigh(spec.stderr_fd >= 0 ? spec.stderr_fd : dev_null.get(), "stderr"));
  UniqueFd upper(::open(spec.upper_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!upper) return FailErrno("open upper dir " + spec.upper_dir, errno);
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return FailErrno("socketpair", errno);
  }
  state->sock.Reset(pair[0]);
  UniqueFd child_sock(pair[1]);

  ChildPlan plan;
  plan.spec = &spec;
  plan.mounts = &mounts;
  plan.seccomp = &seccomp;
  plan.merged_dir = state->merged_dir;
  plan.sock = child_sock.get();
  plan.upper_fd = upper.get();
  plan.stdin_fd = in.get();
  plan.stdout_fd = out.get();
  plan.stderr_fd = err.get();
  plan.setgroups_allowed = maps.setgroups_allowed;
  plan.inherited = BUILDER_TRY(FindInheritedStrings());
  plan.capabilities = caps;
  plan.last_cap = LastCapability();
  plan.exec_candidates = ExecCandidates(spec.argv, spec.env);
  for (const std::string& a : spec.argv) plan.argv.push_back(const_cast<char*>(a.c_str()));
  plan.argv.push_back(nullptr);
  for (const std::string& e : spec.env) plan.envp.push_back(const_cast<char*>(e.c_str()));
  plan.envp.push_back(nullptr);

  uint64_t flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
  if (OwnNetworkNamespace(spec.network)) flags |= CLONE_NEWNET;
  if (spec.network == NetworkMode::kConfigured && !spec.configure_network) {
    return Fail(ErrorCode::kInvalidArgument, "sandbox: a configured network needs configure_network");
  }
  if (!spec.cgroup_name.empty()) {
    auto cg = Cgroup::Create(spec.cgroup_name, spec.cgroup_limits);
    // A cgroup without limits only serves pause and stats: where none can be made (rootless
    // without delegation) the sandbox runs without one.
    const CgroupLimits& l = spec.cgroup_limits;
    const bool limited = l.memory_bytes > 0 || l.cpu_quota_us > 0 || l.pids_max > 0;
    if (cg) {
      state->cgroup = std::move(*cg);
    } else if (limited || cg.error().code() != ErrorCode::kUnsupported) {
      return Fail(std::move(cg.error()));
    }
  }
  // The command must start inside its limits: the child is born in the cgroup.
  state->child = BUILDER_TRY(StartInCgroup(state->cgroup ? &*state->cgroup : nullptr, flags,
                                           &RunChildInit, &plan));
  child_sock.Reset();
  if (spec.hold_mount_namespace) {
    // Made by the clone: the child's namespace already. Without the hold the exit only costs more.
    const std::string ns = "/proc/" + std::to_string(state->child.pid()) + "/ns/mnt";
    state->mount_ns = UniqueFd(::open(ns.c_str(), O_RDONLY | O_CLOEXEC));
  }

  if (auto applied = ApplyIdMaps(state->child.pid(), maps); !applied) {
    return Fail(std::move(applied.error()).Context("sandbox: write id maps"));
  }
  // The namespace exists with the child; the command must start with its interfaces up.
  if (spec.network == NetworkMode::kConfigured) {
    if (auto configured = spec.configure_network(state->child.pid()); !configured) {
      return Fail(std::move(configured.error()).Context("sandbox: configure network"));
    }
  }
  Message go;
  go.type = MessageType::kGo;
  if (::send(state->sock.get(), &go, sizeof go, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof go)) {
    return FailErrno("sandbox: start child", errno);
  }
  bool execing = false;
  for (;;) {
    std::optional<Message> m = BUILDER_TRY(ReceiveMessage(state->sock.get(), &state->pty_master));
    if (!m && execing) return Sandbox(std::move(state));
    if (!m) {
      ExitStatus status = BUILDER_TRY(state->child.Wait());
      return Fail(ErrorCode::kInternal,
                  "sandbox: init ended before starting the command (" + status.ToString() + ")");
    }
    switch (m->type) {
      case MessageType::kCreated:
        state->created.push_back(MessageText(*m));
        break;
      case MessageType::kSetupError:
        return Fail(Error::FromErrno(MessageText(*m), m->err).Context("sandbox setup"));
      case MessageType::kExecError:
        return Fail(ExecError(*m));
      case MessageType::kStarted:
        return Sandbox(std::move(state));
      case MessageType::kPtyMaster:
        break;
      case MessageType::kExecing:
        execing = true;
        break;
      default:
        return Fail(ErrorCode::kInternal, "sandbox: unexpected message before start");
    }
  }
}

Result<SandboxResult> Sandbox::Wait() {
  if (!state_ || !state_->child.running())
    return Fail(ErrorCode::kInternal, "sandbox: not running");
  SandboxResult result;
  std::optional<ExitStatus> reported;
  for (;;) {
    auto m = ReceiveMessage(state_->sock.get(), nullptr);
    if (!m || !*m) break;  // init gone: its own status tells
    if ((*m)->type == MessageType::kExited) {
      reported = ExitStatus{.code = (*m)->code, .signal = (*m)->signal};
      break;
    }
  }
  ExitStatus init = BUILDER_TRY(state_->child.Wait());
  result.status = reported ? *reported : init;

  result.created_paths = state_->created;
  result.leftover_paths = state_->CleanUp();
  result.oom_killed = state_->oom_killed;
  return result;
}

Result<SandboxResult> RunSandboxed(const SandboxSpec& spec) {
  Sandbox sandbox = BUILDER_TRY(Sandbox::Start(spec));
  return sandbox.Wait();
}

Result<void> CheckUserNamespaces() {
  NamespacedChild child = BUILDER_TRY(NamespacedChild::Start(
      CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID, [](const void*) { ::_exit(0); }, nullptr));
  ExitStatus status = BUILDER_TRY(child.Wait());
  if (!status.ok())
    return Fail(ErrorCode::kUnsupported, "user namespace probe: " + status.ToString());
  return {};
}

}  // namespace builder::sandbox
