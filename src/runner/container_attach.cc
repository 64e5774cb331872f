// Following a container's log, forwarding stdin, and proxying signals to it.
#include "runner/container_attach.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/staged_file.h"
#include "runner/attach_channel.h"
#include "runner/container_control.h"
#include "runner/container_log.h"
#include "runner/raw_terminal.h"

namespace builder::runner {
namespace {

constexpr int kProxied[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
constexpr char kDetach1 = 0x10, kDetach2 = 0x11;  // ctrl-p ctrl-q

// Blocks the proxied signals (and SIGWINCH) for this scope; they are read from a signalfd.
class SignalProxy {
 public:
  SignalProxy(bool proxy, bool winch) {
    if (!proxy && !winch) return;
    sigemptyset(&set_);
    if (proxy) {
      for (int s : kProxied) sigaddset(&set_, s);
    }
    if (winch) sigaddset(&set_, SIGWINCH);
    if (::sigprocmask(SIG_BLOCK, &set_, &old_) != 0) return;
    active_ = true;
    fd_.Reset(::signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK));
  }
  ~SignalProxy() {
    if (active_) ::sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  int fd() const { return fd_.get(); }
  /// The next pending signal, 0 when none.
  int Next() {
    struct signalfd_siginfo info;
    if (!fd_ || ::read(fd_.get(), &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return 0;
    return static_cast<int>(info.ssi_signo);
  }

 private:
  sigset_t set_, old_;
  UniqueFd fd_;
  bool active_ = false;
};

void Emit(const std::vector<LogEntry>& entries, const AttachOptions& options) {
  for (const LogEntry& e : entries) {
    int fd = e.stream == "stderr" ? options.stderr_fd : options.stdout_fd;
    // A closed stdout (| head) must not stop the wait for the exit code.
    (void)WriteAll(fd, e.text, e.stream);
  }
}

Result<void> SendWindowSize(int sock, int tty_fd) {
  AttachMessage m;
  m.type = AttachMessage::kResize;
  if (!TerminalSize(tty_fd, &m.rows, &m.cols)) return {};
  return SendAttach(sock, m);
}

}  // namespace

bool TerminalSize(int fd, unsigned short* rows, unsigned short* cols) {
  struct winsize ws {};
  if (fd < 0 || ::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0) return false;
  *rows = ws.ws_row;
  *cols = ws.ws_col;
  return true;
}

Result<int> AttachContainer(const ContainerStore& store, const std::string& id,
                            StartedContainer* started, const AttachOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);
  const int tty_fd = !options.tty                    ? -1
                     : ::isatty(options.stdin_fd) ? options.stdin_fd
                     : ::isatty(options.stdout_fd) ? options.stdout_fd
                                                  : -1;
  UniqueFd sock;
  if (options.stdin_fd >= 0 || tty_fd >= 0) sock = BUILDER_TRY(ConnectAttach(store.DirOf(id)));
  if (sock && tty_fd >= 0) BUILDER_TRY(SendWindowSize(sock.get(), tty_fd));
  SignalProxy proxy(options.sig_proxy, tty_fd >= 0);
  RawTerminal raw(options.stdin_fd >= 0 && tty_fd == options.stdin_fd ? tty_fd : -1);
  LogFollower log = started != nullptr && started->log
                        ? LogFollower(store.LogPath(id), std::move(started->log))
                        : LogFollower(store.LogPath(id), options.log_offset);
  const int report = started != nullptr ? started->exit_report.get() : -1;
  std::string report_text;
  int input = options.stdin_fd;
  bool saw_detach1 = false;
  for (;;) {
    Emit(BUILDER_TRY(log.Poll()), options);
    struct pollfd fds[3] = {{report, POLLIN, 0}, {proxy.fd(), POLLIN, 0}, {input, POLLIN, 0}};
    int n = ::poll(fds, 3, options.tty ? 10 : 50);
    if (n < 0 && errno != EINTR) return FailErrno("poll", errno);
    if (n > 0 && fds[1].revents) {
      for (int sig; (sig = proxy.Next()) != 0;) {
        if (sig == SIGWINCH) {
          if (sock) (void)SendWindowSize(sock.get(), tty_fd);
        } else {
          (void)KillContainer(store, id, sig);
        }
      }
    }
    if (n > 0 && input >= 0 && fds[2].revents) {
      char buf[16384];
      ssize_t r = ::read(input, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        (void)SendAttach(sock.get(), AttachMessage{.type = AttachMessage::kEof});
        input = -1;
      } else {
        std::string data(buf, static_cast<std::size_t>(r));
        if (options.tty) {
          for (std::size_t i = 0; i < data.size(); ++i) {
            if (saw_detach1 && data[i] == kDetach2) {
              data.resize(i > 0 ? i - 1 : 0);
              if (!data.empty()) (void)SendAttach(sock.get(), AttachMessage{.data = data});
              return 0;  // detached: the container runs on
            }
            saw_detach1 = data[i] == kDetach1;
          }
        }
        if (auto sent = SendAttach(sock.get(), AttachMessage{.data = data}); !sent) input = -1;
      }
    }
    if (report >= 0) {
      if (n > 0 && fds[0].revents) {
        char buf[64];
        ssize_t r = ::read(report, buf, sizeof buf);
        if (r > 0) report_text.append(buf, static_cast<std::size_t>(r));
        if (r == 0 || report_text.find('\n') != std::string::npos) {
          Emit(BUILDER_TRY(log.Poll()), options);
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
      Emit(BUILDER_TRY(log.Poll()), options);
      return view->state.exit_code;
    }
  }
}

}  // namespace builder::runner
