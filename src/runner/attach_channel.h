// The attach socket in a container's state dir: clients (run -i/-t, attach, start -a -i) send
// the container's stdin, its EOF and window sizes to the monitor; output goes through the log.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace builder::runner {

/// One message from a client. SOCK_SEQPACKET keeps them apart.
struct AttachMessage {
  enum Type : char { kInput = 'i', kEof = 'e', kResize = 'w' };
  Type type = kInput;
  std::string data;                      ///< kInput
  unsigned short rows = 0, cols = 0;     ///< kResize
};

/// Binds `dir`/attach.sock (through /proc/self/fd, so a long state dir path still fits
/// sun_path) and listens; the socket file is replaced if a dead monitor left one.
[[nodiscard]] Result<UniqueFd> ListenAttach(const std::string& dir);
/// Connects to a running container's attach socket.
[[nodiscard]] Result<UniqueFd> ConnectAttach(const std::string& dir);

[[nodiscard]] Result<void> SendAttach(int fd, const AttachMessage& message);
/// Reads one message; nullopt-like kEof with empty data when the peer closed.
[[nodiscard]] Result<AttachMessage> ReceiveAttach(int fd, bool* closed);

}  // namespace builder::runner
