// The monitor's poll loop.
#include "runner/monitor_io.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "runner/attach_channel.h"

namespace builder::runner {

void ServeContainerIo(ContainerIo io, int listen_fd, LogWriter& log, sandbox::Sandbox& sandbox) {
  if (io.input) ::fcntl(io.input.get(), F_SETFL, ::fcntl(io.input.get(), F_GETFL) | O_NONBLOCK);
  std::vector<UniqueFd> clients;
  std::string pending;       // input not yet taken by the container
  bool close_input = false;  // a client sent EOF: close stdin once pending is written
  char buf[16384];
  const int input_fd = io.tty ? io.out.get() : io.input.get();
  for (;;) {
    if (!io.out && !io.err) return;
    std::vector<pollfd> fds = {{io.out.get(), POLLIN, 0},
                               {io.err.get(), POLLIN, 0},
                               {listen_fd, POLLIN, 0},
                               {pending.empty() ? -1 : input_fd, POLLOUT, 0}};
    for (const UniqueFd& c : clients) fds.push_back({c.get(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    UniqueFd* outputs[2] = {&io.out, &io.err};
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {  // EOF, or EIO from a pty master whose slave is gone
        outputs[i]->Reset();
        continue;
      }
      // A full disk must not stall the container: the bytes are dropped, the pipe drained.
      (void)log.Write(i == 0 ? "stdout" : "stderr", std::string_view(buf, static_cast<std::size_t>(n)));
    }
    if (fds[2].revents & POLLIN) {
      int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) clients.emplace_back(c);
    }
    if (fds[3].fd >= 0 && fds[3].revents) {
      ssize_t n = ::write(input_fd, pending.data(), pending.size());
      if (n > 0) pending.erase(0, static_cast<std::size_t>(n));
      if (n < 0 && errno != EAGAIN && errno != EINTR) pending.clear();  // the reader is gone
    }
    for (std::size_t k = 0; k < clients.size();) {
      if (fds[4 + k].revents == 0) {
        ++k;
        continue;
      }
      bool closed = false;
      auto m = ReceiveAttach(clients[k].get(), &closed);
      if (closed || !m) {
        clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(k));
        fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(4 + k));
        continue;
      }
      if (m->type == AttachMessage::kInput && input_fd >= 0 && !close_input) pending += m->data;
      if (m->type == AttachMessage::kEof && !io.tty) close_input = true;
      if (m->type == AttachMessage::kResize && io.tty) (void)sandbox.Resize(m->rows, m->cols);
      ++k;
    }
    if (!pending.empty() && input_fd >= 0) {
      // Try at once; POLLOUT picks up the rest.
      ssize_t n = ::write(input_fd, pending.data(), pending.size());
      if (n > 0) pending.erase(0, static_cast<std::size_t>(n));
    }
    // Last: had the write above taken the rest of the input after an EOF, nothing would wake
    // the next poll to close it, and the container would wait for its stdin's end forever.
    if (close_input && pending.empty() && io.input) io.input.Reset();
  }
}

}  // namespace builder::runner
