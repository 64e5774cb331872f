// Following a container's log and proxying signals to it.
#include "runner/container_attach.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/staged_file.h"
#include "runner/container_control.h"
#include "runner/container_log.h"
#include "runner/process_identity.h"

namespace builder::runner {
namespace {

constexpr int kProxied[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

// Blocks the proxied signals for this scope and reads them from a signalfd instead.
class SignalProxy {
 public:
  explicit SignalProxy(bool enabled) {
    if (!enabled) return;
    sigemptyset(&set_);
    for (int s : kProxied) sigaddset(&set_, s);
    if (::sigprocmask(SIG_BLOCK, &set_, &old_) != 0) return;
    fd_ = ::signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK);
    active_ = true;
  }
  ~SignalProxy() {
    if (fd_ >= 0) ::close(fd_);
    if (active_) ::sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  int fd() const { return fd_; }
  /// The next pending signal, 0 when none.
  int Next() {
    struct signalfd_siginfo info;
    if (fd_ < 0 || ::read(fd_, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return 0;
    return static_cast<int>(info.ssi_signo);
  }

 private:
  sigset_t set_, old_;
  int fd_ = -1;
  bool active_ = false;
};

Result<void> Emit(const std::vector<LogEntry>& entries, const AttachOptions& options) {
  for (const LogEntry& e : entries) {
    int fd = e.stream == "stderr" ? options.stderr_fd : options.stdout_fd;
    // A closed stdout (| head) must not stop the wait for the exit code.
    (void)WriteAll(fd, e.text, e.stream);
  }
  return {};
}

}  // namespace

Result<int> AttachContainer(const ContainerStore& store, const std::string& id,
                            StartedContainer* started, const AttachOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);
  SignalProxy proxy(options.sig_proxy);
  LogFollower log(store.LogPath(id), options.from_end);
  const int report = started != nullptr ? started->exit_report.get() : -1;
  std::string report_text;
  for (;;) {
    BUILDER_TRY(Emit(BUILDER_TRY(log.Poll()), options));
    struct pollfd fds[2] = {{report, POLLIN, 0}, {proxy.fd(), POLLIN, 0}};
    int n = ::poll(fds, 2, 50);
    if (n < 0 && errno != EINTR) return FailErrno("poll", errno);
    if (n > 0 && fds[1].revents) {
      for (int sig; (sig = proxy.Next()) != 0;) (void)KillContainer(store, id, sig);
    }
    if (report >= 0) {
      if (n > 0 && fds[0].revents) {
        char buf[64];
        ssize_t r = ::read(report, buf, sizeof buf);
        if (r > 0) report_text.append(buf, static_cast<std::size_t>(r));
        if (r == 0 || report_text.find('\n') != std::string::npos) {
          BUILDER_TRY(Emit(BUILDER_TRY(log.Poll()), options));
          if (report_text.starts_with("exit ")) return std::atoi(report_text.c_str() + 5);
          // The monitor died before reporting: whatever the state says.
          auto view = store.View(id);
          return view ? view->state.exit_code : 137;
        }
      }
      continue;
    }
    auto view = store.View(id);
    if (!view) return Fail(std::move(view.error()));
    if (!view->state.active() || view->state.status == Status::kRestarting) {
      BUILDER_TRY(Emit(BUILDER_TRY(log.Poll()), options));
      return view->state.exit_code;
    }
  }
}

}  // namespace builder::runner
