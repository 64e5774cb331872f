// Fd-backed byte streams and the fixed-buffer copy loop.
#include "oci/byte_stream.h"

#include <unistd.h>

#include <cerrno>
#include <vector>

namespace builder::oci {

Result<void> FdSink::Write(std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno("write", errno);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

Result<std::size_t> FdSource::Read(std::span<std::uint8_t> buf) {
  for (;;) {
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return FailErrno("read", errno);
  }
}

Result<std::uint64_t> Pump(ByteSource& from, ByteSink& to) {
  std::vector<std::uint8_t> buf(1 << 16);
  std::uint64_t total = 0;
  for (;;) {
    std::size_t n = BUILDER_TRY(from.Read(buf));
    if (n == 0) return total;
    BUILDER_TRY(to.Write(std::span(buf.data(), n)));
    total += n;
  }
}

}  // namespace builder::oci
