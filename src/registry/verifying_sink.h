// VerifyingSink: streams a blob into a staged file while counting and hashing it, so nothing
// whose size or digest differs from its descriptor is ever published.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "base/error.h"
#include "base/progress.h"
#include "base/sha256.h"
#include "oci/byte_stream.h"
#include "oci/descriptor.h"

namespace builder::registry {

/// Writes to fd (a staged blob), hashing and counting; refuses bytes past expected.size so a
/// hostile registry cannot fill the disk. `expected` and `progress` (may be null) must outlive
/// the sink.
class VerifyingSink final : public oci::ByteSink {
 public:
  VerifyingSink(int fd, const oci::Descriptor& expected, Progress* progress = nullptr)
      : fd_(fd), expected_(expected), progress_(progress) {}

  [[nodiscard]] Result<void> Write(std::span<const std::uint8_t> bytes) override;
  [[nodiscard]] Result<void> Close() override { return {}; }

  std::int64_t written() const { return written_; }
  /// Back to an empty file, for a registry that answered a resume with the whole blob.
  [[nodiscard]] Result<void> Restart();
  /// Size and digest as the descriptor says, else kCorrupt.
  [[nodiscard]] Result<void> Check();

 private:
  int fd_;
  const oci::Descriptor& expected_;
  Progress* progress_;
  std::optional<Sha256> hash_{std::in_place};
  std::int64_t written_ = 0;
};

}  // namespace builder::registry
