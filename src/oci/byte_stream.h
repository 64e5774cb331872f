// ByteSink/ByteSource: the pull and push byte-stream seams that layer code chains together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/error.h"

namespace builder::oci {

/// A push stream. Write() takes every byte or fails; Close() flushes and must be called once
/// when the stream ends (a sink destroyed without Close() has written an incomplete stream).
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  [[nodiscard]] virtual Result<void> Write(std::span<const std::uint8_t> bytes) = 0;
  [[nodiscard]] virtual Result<void> Close() = 0;
};

/// A pull stream. Read() returns 1..buf.size() bytes, or 0 at the end of the stream.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  [[nodiscard]] virtual Result<std::size_t> Read(std::span<std::uint8_t> buf) = 0;
};

/// Writes to a borrowed fd (retrying short writes and EINTR). Close() does not close the fd.
class FdSink final : public ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  [[nodiscard]] Result<void> Write(std::span<const std::uint8_t> bytes) override;
  [[nodiscard]] Result<void> Close() override { return {}; }

 private:
  int fd_;
};

/// Reads from a borrowed fd from its current offset.
class FdSource final : public ByteSource {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  [[nodiscard]] Result<std::size_t> Read(std::span<std::uint8_t> buf) override;

 private:
  int fd_;
};

/// Writes to a std::string; for tests and small in-memory blobs.
class StringSink final : public ByteSink {
 public:
  [[nodiscard]] Result<void> Write(std::span<const std::uint8_t> bytes) override {
    data_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return {};
  }
  [[nodiscard]] Result<void> Close() override { return {}; }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

/// Reads all of a source into a sink with a fixed buffer; returns the byte count.
[[nodiscard]] Result<std::uint64_t> Pump(ByteSource& from, ByteSink& to);

}  // namespace builder::oci
