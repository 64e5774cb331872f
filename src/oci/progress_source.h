// ProgressSource: a pass-through ByteSource that reports the bytes it yields to a Progress.
#pragma once

#include "base/progress.h"
#include "oci/byte_stream.h"

namespace builder::oci {

/// Wraps a borrowed source; `progress` may be null (then it only passes bytes through).
class ProgressSource final : public ByteSource {
 public:
  ProgressSource(ByteSource& in, Progress* progress) : in_(in), progress_(progress) {}
  [[nodiscard]] Result<std::size_t> Read(std::span<std::uint8_t> buf) override {
    std::size_t n = BUILDER_TRY(in_.Read(buf));
    if (progress_ && n > 0) progress_->Advance(n);
    return n;
  }

 private:
  ByteSource& in_;
  Progress* progress_;
};

}  // namespace builder::oci
