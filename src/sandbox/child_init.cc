// The sandbox's child side: namespace setup, then pid 1 running the command; and its messages.
// Everything here runs after clone3 in a copy of a possibly multi-threaded parent: only
// system calls and reads of the prepared plan, no allocation, no stdio, no locks.
#include "sandbox/child_init.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <iterator>
#include <utility>

#include "sandbox/capabilities.h"

namespace builder::sandbox {
namespace {

constexpr int kMaxDepth = 64;

// A fixed buffer that silently truncates: messages are for humans.
struct Text {
  char buf[4096];
  size_t len = 0;
  Text() { buf[0] = '\0'; }
  Text& operator<<(const char* s) {
    while (*s && len + 1 < sizeof buf) buf[len++] = *s++;
    buf[len] = '\0';
    return *this;
  }
  Text& operator<<(long v) {
    char digits[24];
    int n = 0;
    unsigned long u = v < 0 ? 0UL - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
    do {
      digits[n++] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u);
    if (v < 0) *this << "-";
    while (n > 0 && len + 1 < sizeof buf) buf[len++] = digits[--n];
    buf[len] = '\0';
    return *this;
  }
};

void Send(int sock, MessageType type, const char* text, int err = 0, int code = 0, int sig = 0) {
  Message m;
  m.type = type;
  m.err = err;
  m.code = code;
  m.signal = sig;
  if (text) {
    size_t n = strnlen(text, sizeof m.text - 1);
    memcpy(m.text, text, n);
    m.text[n] = '\0';
  }
  while (::send(sock, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

[[noreturn]] void Die(const ChildPlan& p, const Text& what, int err) {
  Send(p.sock, MessageType::kSetupError, what.buf, err);
  ::_exit(125);
}

void FdPath(int fd, Text* out) { *out << "/proc/self/fd/" << static_cast<long>(fd); }

int OpenInRoot(int root, const char* rel, bool directory) {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC | (directory ? O_DIRECTORY : 0);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, root, rel, &how, sizeof how));
}

bool ExistsInUpper(int upper_fd, const char* rel) {
  struct stat st;
  return ::fstatat(upper_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

// The path of `fd` relative to the rootfs ("" for its root), or false when it lies outside.
bool RootfsPathOf(const ChildPlan& p, int fd, char* out, size_t size) {
  Text link;
  FdPath(fd, &link);
  ssize_t n = ::readlink(link.buf, out, size - 1);
  if (n < 0) return false;
  out[n] = '\0';
  const size_t prefix = p.merged_dir.size();
  if (static_cast<size_t>(n) < prefix || memcmp(out, p.merged_dir.c_str(), prefix) != 0)
    return false;
  if (out[prefix] != '\0' && out[prefix] != '/') return false;
  const size_t skip = out[prefix] == '/' ? prefix + 1 : prefix;
  memmove(out, out + skip, static_cast<size_t>(n) - skip + 1);
  return true;
}

// Creates `name` in the directory `parent` (a directory or an empty file) and reports to the
// parent what appeared in the upper dir because of it: the new entry and any parent directory
// overlayfs copied up. Reporting uses the real location, so a symlinked parent is handled.
int CreateAt(const ChildPlan& p, int parent, const char* name, bool dir) {
  char rel[PATH_MAX];
  bool known = RootfsPathOf(p, parent, rel, sizeof rel - 1);
  size_t len = known ? strlen(rel) : 0;
  bool existed[kMaxDepth + 1] = {};
  size_t ends[kMaxDepth + 1];
  int depth = 0;
  for (size_t i = 0; known && i <= len && depth < kMaxDepth; ++i) {
    if ((rel[i] == '/' || rel[i] == '\0') && i > 0) {
      ends[depth] = i;
      char saved = rel[i];
      rel[i] = '\0';
      existed[depth++] = ExistsInUpper(p.upper_fd, rel);
      rel[i] = saved;
    }
  }
  int rc;
  if (dir) {
    rc = ::mkdirat(parent, name, 0755);
  } else {
    rc = ::openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (rc >= 0) rc = ::close(rc);
  }
  if (rc != 0 || !known) return rc;
  int err = errno;
  for (int i = 0; i < depth; ++i) {
    char saved = rel[ends[i]];
    rel[ends[i]] = '\0';
    if (!existed[i] && ExistsInUpper(p.upper_fd, rel)) Send(p.sock, MessageType::kCreated, rel);
    rel[ends[i]] = saved;
  }
  size_t nlen = strlen(name);
  if (len + nlen + 2 < sizeof rel) {
    if (len > 0) rel[len++] = '/';
    memcpy(rel + len, name, nlen + 1);
    if (ExistsInUpper(p.upper_fd, rel)) Send(p.sock, MessageType::kCreated, rel);
  }
  errno = err;
  return 0;
}

// Opens `target` (absolute, inside the rootfs) as an O_PATH fd, creating missing components:
// directories, and for kFile an empty file as the last one. Symlinks are resolved inside the
// root, so an image cannot point a mount point at the host. With `parent_only` it opens the
// parent and sets *last_name to the final component.
int ResolveOrCreate(const ChildPlan& p, int root, const char* target, TargetKind kind,
                    bool parent_only, const char** last_name) {
  char path[PATH_MAX];
  while (*target == '/') ++target;
  size_t n = strnlen(target, sizeof path - 1);
  memcpy(path, target, n);
  path[n] = '\0';
  size_t ends[kMaxDepth];
  int depth = 0;
  for (size_t i = 0; i <= n && depth < kMaxDepth; ++i) {
    if ((path[i] == '/' || path[i] == '\0') && i > 0 && path[i - 1] != '/') ends[depth++] = i;
  }
  if (depth == 0) return ::fcntl(root, F_DUPFD_CLOEXEC, 3);
  const int last = parent_only ? depth - 1 : depth;
  if (last_name) *last_name = target + (depth > 1 ? ends[depth - 2] + 1 : 0);
  int parent = ::fcntl(root, F_DUPFD_CLOEXEC, 3);
  int fd = parent;
  for (int i = 0; i < last; ++i) {
    char saved = path[ends[i]];
    path[ends[i]] = '\0';
    const bool want_dir = i < depth - 1 || kind == TargetKind::kDir;
    fd = OpenInRoot(root, path, want_dir);
    if (fd < 0 && errno == ENOENT) {
      const char* name = path + (i > 0 ? ends[i - 1] + 1 : 0);
      if (CreateAt(p, parent, name, want_dir) != 0 && errno != EEXIST)
        fd = -1;
      else
        fd = OpenInRoot(root, path, want_dir);
    }
    int err = errno;
    path[ends[i]] = saved;
    ::close(parent);
    if (fd < 0) {
      errno = err;
      return -1;
    }
    parent = fd;
  }
  return fd;
}

// mount(2) flags that a user namespace may not clear on a bind remount.
unsigned long LockedFlags(int fd) {
  struct statvfs sf;
  if (::fstatvfs(fd, &sf) != 0) return 0;
  unsigned long out = 0;
  if (sf.f_flag & ST_NOSUID) out |= MS_NOSUID;
  if (sf.f_flag & ST_NODEV) out |= MS_NODEV;
  if (sf.f_flag & ST_NOEXEC) out |= MS_NOEXEC;
  if (sf.f_flag & ST_NOATIME) out |= MS_NOATIME;
  if (sf.f_flag & ST_NODIRATIME) out |= MS_NODIRATIME;
  if (sf.f_flag & ST_RELATIME) out |= MS_RELATIME;
  return out;
}

void ApplyStep(const ChildPlan& p, int root, const MountStep& step) {
  const char* target = step.target.c_str();
  Text what;
  if (step.op == MountOp::kSymlink) {
    const char* name = nullptr;
    int dir = ResolveOrCreate(p, root, target, TargetKind::kDir, true, &name);
    if (dir < 0) Die(p, what << "create parent of " << target, errno);
    if (::symlinkat(step.source.c_str(), dir, name) != 0)
      Die(p, what << "symlink " << target, errno);
    ::close(dir);
    return;
  }
  if (step.op == MountOp::kBind && step.optional) {
    struct stat st;
    if (::stat(step.source.c_str(), &st) != 0 && errno == ENOENT) return;
  }
  int fd;
  if (step.create == TargetKind::kExisting) {
    fd = OpenInRoot(root, target + 1, false);
    if (fd < 0 && errno == ENOENT) return;
    if (fd < 0) Die(p, what << "open " << target, errno);
  } else {
    fd = ResolveOrCreate(p, root, target, step.create, false, nullptr);
    if (fd < 0) Die(p, what << "create mount point " << target, errno);
  }
  Text fd_path;
  FdPath(fd, &fd_path);
  if (step.op == MountOp::kMount) {
    if (::mount(step.source.c_str(), fd_path.buf, step.fstype.c_str(), step.flags,
                step.data.c_str()) != 0) {
      Die(p, what << "mount " << step.fstype.c_str() << " on " << target, errno);
    }
    ::close(fd);
    return;
  }
  // kReadOnly binds the target onto itself.
  const char* source = step.op == MountOp::kReadOnly ? fd_path.buf : step.source.c_str();
  if (::mount(source, fd_path.buf, nullptr, step.flags, nullptr) != 0) {
    Die(p, what << "bind " << (step.op == MountOp::kReadOnly ? target : source) << " on " << target,
        errno);
  }
  ::close(fd);
  if (!step.read_only) return;
  // The fd still names the covered mount point: reopen to reach the new mount.
  fd = OpenInRoot(root, target + 1, false);
  if (fd < 0) Die(p, what << "reopen " << target, errno);
  Text again;
  FdPath(fd, &again);
  if (::mount(nullptr, again.buf, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | LockedFlags(fd),
              nullptr) != 0) {
    Die(p, what << "remount " << target << " read-only", errno);
  }
  if (step.recursive_read_only) {
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) !=
        0) {
      Die(p, what << "make " << target << " read-only recursively", errno);
    }
  }
  ::close(fd);
}

void LoopbackUp(const ChildPlan& p) {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  Text what;
  if (s < 0) Die(p, what << "socket for loopback", errno);
  ifreq ifr{};
  memcpy(ifr.ifr_name, "lo", 3);
  if (::ioctl(s, SIOCGIFFLAGS, &ifr) != 0) Die(p, what << "get flags of lo", errno);
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(s, SIOCSIFFLAGS, &ifr) != 0) Die(p, what << "bring lo up", errno);
  ::close(s);
}

// Too many layers for one page of mount(2) data: one fsconfig call per lower dir instead.
void MountOverlayWithFsconfig(const ChildPlan& p) {
  const MountPlan& m = *p.mounts;
  Text what;
  int fs = ::fsopen("overlay", FSOPEN_CLOEXEC);
  if (fs < 0) Die(p, what << "fsopen overlay", errno);
  for (const std::string& dir : m.lower_dirs) {
    if (::fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", dir.c_str(), 0) != 0) {
      Die(p, what << "overlay lowerdir+ " << dir.c_str(), errno);
    }
  }
  if (::fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", m.upper_dir.c_str(), 0) != 0) {
    Die(p, what << "overlay upperdir " << m.upper_dir.c_str(), errno);
  }
  if (::fsconfig(fs, FSCONFIG_SET_STRING, "workdir", m.work_dir.c_str(), 0) != 0) {
    Die(p, what << "overlay workdir " << m.work_dir.c_str(), errno);
  }
  if (::fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) != 0) {
    Die(p, what << "overlay userxattr", errno);
  }
  if (::fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    Die(p, what << "create overlay of " << static_cast<long>(m.lower_dirs.size()) << " layers",
        errno);
  }
  int mnt = ::fsmount(fs, FSMOUNT_CLOEXEC, 0);
  if (mnt < 0) Die(p, what << "fsmount overlay", errno);
  if (::move_mount(mnt, "", AT_FDCWD, p.merged_dir.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    Die(p, what << "mount overlay on " << p.merged_dir.c_str(), errno);
  }
  ::close(mnt);
  ::close(fs);
}

void MountOverlay(const ChildPlan& p) {
  if (p.mounts->overlay_options.empty()) return MountOverlayWithFsconfig(p);
  Text what;
  if (::mount("overlay", p.merged_dir.c_str(), "overlay", 0, p.mounts->overlay_options.c_str()) !=
      0) {
    Die(p, what << "mount overlay on " << p.merged_dir.c_str(), errno);
  }
}

void SetupRootfs(const ChildPlan& p) {
  Text what;
  // Nothing we mount may propagate back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    Die(p, what << "make / private", errno);
  }
  MountOverlay(p);
  int root = ::open(p.merged_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) Die(p, what << "open rootfs " << p.merged_dir.c_str(), errno);
  for (const MountStep& step : p.mounts->steps) ApplyStep(p, root, step);
  // Only the root mount itself: tmpfs, binds and /dev below it keep their own flags.
  if (p.spec->read_only_rootfs &&
      ::mount(nullptr, p.merged_dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | LockedFlags(root),
              nullptr) != 0) {
    Die(p, what << "remount the root read-only", errno);
  }
  if (::fchdir(root) != 0) Die(p, what << "chdir to rootfs", errno);
  // pivot_root(".", ".") stacks the old root under the new one; unmounting "." then drops it.
  if (::syscall(SYS_pivot_root, ".", ".") != 0) Die(p, what << "pivot_root", errno);
  if (::umount2(".", MNT_DETACH) != 0) Die(p, what << "detach old root", errno);
  if (::chdir("/") != 0) Die(p, what << "chdir /", errno);
  ::close(root);
  ::close(p.upper_fd);
}

int g_tty_slave = -1;

// A pty of the container's own devpts (so `tty` names /dev/pts/N inside); the master goes to
// the parent over the socket, the slave becomes the command's stdio and controlling terminal.
void SetupTty(const ChildPlan& p) {
  const SandboxSpec& spec = *p.spec;
  Text what;
  int master = ::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) Die(p, what << "open /dev/pts/ptmx", errno);
  int unlock = 0;
  if (::ioctl(master, TIOCSPTLCK, &unlock) != 0) Die(p, what << "unlock pty", errno);
  if (spec.tty_rows > 0 && spec.tty_cols > 0) {
    winsize ws{};
    ws.ws_row = spec.tty_rows;
    ws.ws_col = spec.tty_cols;
    if (::ioctl(master, TIOCSWINSZ, &ws) != 0) Die(p, what << "set pty window size", errno);
  }
  g_tty_slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (g_tty_slave < 0) Die(p, what << "open pty slave", errno);
  // The command's user owns its terminal, as with docker run -t.
  (void)!::fchown(g_tty_slave, spec.uid, static_cast<gid_t>(-1));
  if (int err = SendPtyMaster(p.sock, master)) Die(p, what << "send pty master", err);
  ::close(master);
}

void SetupProcess(const ChildPlan& p) {
  const SandboxSpec& spec = *p.spec;
  Text what;
  if (::chdir(spec.cwd.c_str()) != 0)
    Die(p, what << "working directory " << spec.cwd.c_str(), errno);
  // Docker's umask, whatever the builder's own is.
  ::umask(022);
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) Die(p, what << "keep capabilities", errno);
  const char* op = "";
  if (int err = DropBoundingSet(p.capabilities, p.last_cap, &op)) Die(p, what << op, err);
  // Without no_new_privs the kernel wants CAP_SYS_ADMIN (of our user namespace) to install a
  // filter: do it while we still hold every capability, as runc does.
  if (!spec.no_new_privileges) {
    if (int err = InstallSeccomp(*p.seccomp)) Die(p, what << "install seccomp filter", err);
  }
  for (const ResourceLimit& limit : spec.rlimits) {
    rlimit64 value{limit.soft, limit.hard};
    if (::syscall(SYS_prlimit64, 0, limit.resource, &value, nullptr) != 0) {
      Die(p, what << "setrlimit " << static_cast<long>(limit.resource), errno);
    }
  }
  if (p.setgroups_allowed &&
      ::syscall(SYS_setgroups, spec.groups.size(), spec.groups.data()) != 0) {
    Die(p, what << "setgroups", errno);
  }
  // Raw syscalls: glibc's wrappers synchronise all threads, which a clone3 child lacks.
  if (::syscall(SYS_setresgid, spec.gid, spec.gid, spec.gid) != 0) {
    Die(p, what << "setgid " << static_cast<long>(spec.gid), errno);
  }
  if (::syscall(SYS_setresuid, spec.uid, spec.uid, spec.uid) != 0) {
    Die(p, what << "setuid " << static_cast<long>(spec.uid), errno);
  }
  if (int err = SetCapabilities(p.capabilities, &op)) Die(p, what << op, err);
  if (spec.no_new_privileges) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Die(p, what << "no_new_privs", errno);
    if (int err = InstallSeccomp(*p.seccomp)) Die(p, what << "install seccomp filter", err);
  }
}

volatile sig_atomic_t g_command_pid = 0;

void Forward(int sig) {
  if (g_command_pid > 0) ::kill(g_command_pid, sig);
}

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

// Every handler back to its default and nothing blocked.
void ResetSignals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Sets up stdio and execs the command; returns the errno when that fails.
int ExecCommand(const ChildPlan& p) {
  // The builder may ignore or block signals (SIGPIPE...); the command starts clean.
  ResetSignals();
  if (g_tty_slave >= 0) {
    if (::setsid() < 0 || ::ioctl(g_tty_slave, TIOCSCTTY, 0) != 0) return errno;
    for (int fd = 0; fd < 3; ++fd) {
      if (::dup2(g_tty_slave, fd) < 0) return errno;
    }
  } else if (::dup2(p.stdin_fd, 0) < 0 || ::dup2(p.stdout_fd, 1) < 0 ||
             ::dup2(p.stderr_fd, 2) < 0) {
    return errno;
  }
  // No fd of the builder (a host directory, a pipe of another step) may survive the exec.
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  return ExecCandidatesInOrder(p.exec_candidates, p.argv.data(), p.envp.data());
}

[[noreturn]] void RunInit(const ChildPlan& p) {
  int report[2];
  Text what;
  // A builder killed outright (SIGKILL, OOM) must not leave the command running: our death
  // ends the pid namespace. Set only now because changing uid/gid (SetupProcess) clears it;
  // a builder that died before this point has closed its end of the socket.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) Die(p, what << "set parent-death signal", errno);
  char probe;
  if (::recv(p.sock, &probe, sizeof probe, MSG_PEEK | MSG_DONTWAIT) == 0) ::_exit(125);
  if (p.spec->command_is_pid1) {
    // The socket is close-on-exec: its EOF after kExecing tells the parent the exec worked.
    Send(p.sock, MessageType::kExecing, nullptr);
    int err = ExecCommand(p);
    Send(p.sock, MessageType::kExecError, p.argv[0], err);
    ::_exit(127);
  }
  if (::pipe2(report, O_CLOEXEC) != 0) Die(p, what << "pipe", errno);
  struct sigaction fwd {};
  fwd.sa_handler = Forward;
  fwd.sa_flags = SA_RESTART;
  for (int sig : kForwarded) ::sigaction(sig, &fwd, nullptr);
  // clone3 is ENOSYS under our own filter; plain clone with SIGCHLD is a fork.
  long pid = ::syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) Die(p, what << "fork command", errno);
  if (pid == 0) {
    ::close(report[0]);
    int err = ExecCommand(p);
    (void)!::write(report[1], &err, sizeof err);
    ::_exit(127);
  }
  g_command_pid = static_cast<sig_atomic_t>(pid);
  ::close(report[1]);
  int err = 0;
  ssize_t n;
  while ((n = ::read(report[0], &err, sizeof err)) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof err)) {
    Send(p.sock, MessageType::kExecError, p.argv[0], err);
    ::_exit(127);
  }
  Send(p.sock, MessageType::kStarted, nullptr);
  ::close(p.stdin_fd);
  ::close(p.stdout_fd);
  ::close(p.stderr_fd);
  if (g_tty_slave >= 0) ::close(g_tty_slave);
  // Reap everything re-parented to us until the command itself ends.
  for (;;) {
    int status = 0;
    pid_t got = ::waitpid(-1, &status, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      Die(p, what << "wait for command", errno);
    }
    if (got != pid) continue;
    if (WIFSIGNALED(status))
      Send(p.sock, MessageType::kExited, nullptr, 0, 0, WTERMSIG(status));
    else
      Send(p.sock, MessageType::kExited, nullptr, 0, WEXITSTATUS(status), 0);
    // Returning ends the pid namespace: the kernel SIGKILLs any process left behind.
    ::_exit(0);
  }
}

// Signal state and fds inherited from the builder belong to it, not to the sandbox: another
// thread's pipe kept open here would hold back that pipe's EOF until this sandbox ends.
void ResetInherited(const ChildPlan& p) {
  ResetSignals();
  int keep[] = {p.sock, p.upper_fd, p.stdin_fd, p.stdout_fd, p.stderr_fd};
  constexpr int kKeep = static_cast<int>(std::size(keep));
  for (int i = 1; i < kKeep; ++i) {
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) std::swap(keep[j - 1], keep[j]);
  }
  unsigned next = 3;
  for (int fd : keep) {
    if (fd < 0 || static_cast<unsigned>(fd) < next) continue;
    if (static_cast<unsigned>(fd) > next) ::syscall(SYS_close_range, next, fd - 1U, 0U);
    next = static_cast<unsigned>(fd) + 1;
  }
  ::syscall(SYS_close_range, next, ~0U, 0U);
  for (int fd = 0; fd < 3; ++fd) ::dup2(p.stdin_fd, fd);
}

}  // namespace

int SendPtyMaster(int sock, int fd) {
  Message m;
  m.type = MessageType::kPtyMaster;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  iovec iov{&m, sizeof m};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

void RunChildInit(const void* arg) {
  const ChildPlan& p = *static_cast<const ChildPlan*>(arg);
  ScrubInheritedStrings(p.inherited, "builder-init");
  ResetInherited(p);
  Message go;
  ssize_t n;
  while ((n = ::recv(p.sock, &go, sizeof go, 0)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof go) || go.type != MessageType::kGo) ::_exit(125);
  Text what;
  // Only now: the parent wrote our id maps, which needs /proc/<pid> owned by it. From here on
  // this copy of the builder's memory is off limits to the command (it execs dumpable again).
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) Die(p, what << "set non-dumpable", errno);
  const std::string& host = p.spec->hostname;
  if (!host.empty() && ::sethostname(host.c_str(), host.size()) != 0) {
    Die(p, what << "sethostname " << host.c_str(), errno);
  }
  // The parent moved us into our cgroup before kGo: that becomes the namespace's root.
  if (!p.spec->cgroup_name.empty() && ::unshare(CLONE_NEWCGROUP) != 0) {
    Die(p, what << "unshare cgroup namespace", errno);
  }
  if (OwnNetworkNamespace(p.spec->network)) LoopbackUp(p);
  SetupRootfs(p);
  if (p.spec->tty) SetupTty(p);
  SetupProcess(p);
  RunInit(p);
}

int ExecCandidatesInOrder(const std::vector<std::string>& candidates, char* const* argv,
                          char* const* envp) {
  int err = ENOENT;
  bool denied = false;
  for (const std::string& candidate : candidates) {
    ::execve(candidate.c_str(), argv, envp);
    err = errno;
    if (err == EACCES) denied = true;
    if (err != ENOENT && err != ENOTDIR && err != EACCES) break;
  }
  // As a shell's PATH search: a candidate that exists but may not run beats "not found".
  if (denied && (err == ENOENT || err == ENOTDIR)) err = EACCES;
  return err;
}

}  // namespace builder::sandbox
