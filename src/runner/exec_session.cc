// exec: start, pump a pty when asked, wait.
#include "runner/exec_session.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

#include "base/staged_file.h"
#include "runner/container_attach.h"
#include "runner/container_cgroup.h"
#include "runner/raw_terminal.h"

namespace builder::runner {
namespace {

int ExitCodeOf(const ExitStatus& status) { return status.signal ? 128 + status.signal : status.code; }

// Copies the caller's stdin (when interactive) to the pty master and the master to stdout until
// the process closes its side (EIO); SIGWINCH resizes.
void PumpPty(int master, bool interactive) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGWINCH);
  sigset_t old;
  ::sigprocmask(SIG_BLOCK, &set, &old);
  UniqueFd winch(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  RawTerminal raw(interactive ? 0 : -1);
  int input = interactive ? 0 : -1;
  char buf[16384];
  for (;;) {
    struct pollfd fds[3] = {{master, POLLIN, 0}, {input, POLLIN, 0}, {winch.get(), POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) {
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;
      (void)WriteAll(1, std::string_view(buf, static_cast<std::size_t>(n)), "stdout");
    }
    if (input >= 0 && fds[1].revents) {
      ssize_t n = ::read(input, buf, sizeof buf);
      if (n <= 0) {
        input = -1;
      } else {
        (void)WriteAll(master, std::string_view(buf, static_cast<std::size_t>(n)), "the exec's tty");
      }
    }
    if (fds[2].revents) {
      struct signalfd_siginfo info;
      while (::read(winch.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      }
      struct winsize ws {};
      if (::ioctl(0, TIOCGWINSZ, &ws) == 0 || ::ioctl(1, TIOCGWINSZ, &ws) == 0) ::ioctl(master, TIOCSWINSZ, &ws);
    }
  }
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace

Result<int> ExecInContainer(const ContainerStore& store, const std::string& id, ExecRequest request) {
  ContainerView view = BUILDER_TRY(store.View(id));
  if (view.state.status == Status::kPaused) {
    return Fail(ErrorCode::kInvalidArgument,
                "Container " + id + " is paused, unpause the container before exec");
  }
  if (view.state.status != Status::kRunning) {
    return Fail(ErrorCode::kInvalidArgument, "container " + id + " is not running");
  }
  if (request.options.tty && !TerminalSize(0, &request.options.tty_rows, &request.options.tty_cols)) {
    (void)TerminalSize(1, &request.options.tty_rows, &request.options.tty_cols);
  }
  sandbox::ExecSpec spec = BUILDER_TRY(ExecSpecFor(store, view.spec, request.options));
  spec.expected_start_time = view.state.pid_start;
  // A container that runs without a cgroup of its own (rootless): the exec stays in ours.
  if (!InOwnCgroup(view.state.pid, id)) spec.cgroup_name.clear();
  if (!request.options.tty) {
    spec.stdin_fd = request.interactive && !request.detach ? 0 : -1;
    spec.stdout_fd = request.detach ? -1 : 1;
    spec.stderr_fd = request.detach ? -1 : 2;
  }
  if (request.detach) {
    // A helper owns the process (ExecProcess reaps it; dropping it would kill it): it starts
    // the process, reports the start through a pipe, and waits for it on its own.
    Pipe report = BUILDER_TRY(MakePipe());
    pid_t helper = ::fork();
    if (helper < 0) return FailErrno("fork", errno);
    if (helper == 0) {
      ::setsid();
      report.read.Reset();
      auto proc = sandbox::ExecIn(view.state.pid, spec);
      std::string line = proc ? "ok" : proc.error().ToString();
      (void)WriteAll(report.write.get(), line, "report");
      report.write.Reset();
      if (proc) (void)proc->Wait();
      ::_exit(0);
    }
    report.write.Reset();
    std::string line;
    char buf[512];
    for (ssize_t n; (n = ::read(report.read.get(), buf, sizeof buf)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    if (line != "ok") return Fail(ErrorCode::kInternal, line.empty() ? "exec helper died" : line);
    return 0;
  }
  sandbox::ExecProcess proc = BUILDER_TRY(sandbox::ExecIn(view.state.pid, spec));
  if (request.options.tty) {
    UniqueFd master = proc.TakePtyMaster();
    if (master) PumpPty(master.get(), request.interactive);
  }
  ExitStatus status = BUILDER_TRY(proc.Wait());
  return ExitCodeOf(status);
}

}  // namespace builder::runner
