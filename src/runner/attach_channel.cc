// The attach socket: listen/connect and the message encoding.
#include "runner/attach_channel.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

namespace builder::runner {
namespace {

constexpr std::size_t kMaxMessage = 65536;

Result<sockaddr_un> AddressIn(int dir_fd) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = "/proc/self/fd/" + std::to_string(dir_fd) + "/attach.sock";
  if (path.size() >= sizeof addr.sun_path) return Fail(ErrorCode::kInternal, "attach socket path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

}  // namespace

Result<UniqueFd> ListenAttach(const std::string& dir) {
  UniqueFd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) return FailErrno("open " + dir, errno);
  ::unlinkat(dir_fd.get(), "attach.sock", 0);
  UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!sock) return FailErrno("attach socket", errno);
  sockaddr_un addr = BUILDER_TRY(AddressIn(dir_fd.get()));
  if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return FailErrno("bind " + dir + "/attach.sock", errno);
  }
  if (::listen(sock.get(), 8) != 0) return FailErrno("listen on the attach socket", errno);
  return sock;
}

Result<UniqueFd> ConnectAttach(const std::string& dir) {
  UniqueFd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) return FailErrno("open " + dir, errno);
  UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!sock) return FailErrno("attach socket", errno);
  sockaddr_un addr = BUILDER_TRY(AddressIn(dir_fd.get()));
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return FailErrno("connect to the container's monitor", errno);
  }
  return sock;
}

Result<void> SendAttach(int fd, const AttachMessage& m) {
  std::string wire(1, static_cast<char>(m.type));
  if (m.type == AttachMessage::kResize) {
    wire += static_cast<char>(m.rows >> 8);
    wire += static_cast<char>(m.rows & 0xff);
    wire += static_cast<char>(m.cols >> 8);
    wire += static_cast<char>(m.cols & 0xff);
  }
  std::string_view data = m.data;
  do {
    std::size_t n = std::min(data.size(), kMaxMessage - 1);
    std::string packet = wire + std::string(data.substr(0, n));
    data.remove_prefix(n);
    while (::send(fd, packet.data(), packet.size(), MSG_NOSIGNAL) < 0) {
      if (errno != EINTR) return FailErrno("send to the container's monitor", errno);
    }
  } while (!data.empty());
  return {};
}

Result<AttachMessage> ReceiveAttach(int fd, bool* closed) {
  std::string buf(kMaxMessage, '\0');
  ssize_t n;
  while ((n = ::recv(fd, buf.data(), buf.size(), 0)) < 0 && errno == EINTR) {
  }
  *closed = n <= 0;
  AttachMessage m;
  if (n <= 0) {
    m.type = AttachMessage::kEof;
    return m;
  }
  m.type = static_cast<AttachMessage::Type>(buf[0]);
  if (m.type == AttachMessage::kResize && n >= 5) {
    auto byte = [&](int i) { return static_cast<unsigned short>(static_cast<unsigned char>(buf[i])); };
    m.rows = static_cast<unsigned short>(byte(1) << 8 | byte(2));
    m.cols = static_cast<unsigned short>(byte(3) << 8 | byte(4));
  } else if (m.type == AttachMessage::kInput) {
    m.data = buf.substr(1, static_cast<std::size_t>(n) - 1);
  }
  return m;
}

}  // namespace builder::runner
