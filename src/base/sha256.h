// Streaming SHA-256 over OpenSSL EVP, for content digests.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace builder {

/// Incremental SHA-256. Feed bytes with Update(), take the result once with Finish().
class Sha256 {
 public:
  Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();

  void Update(std::span<const std::uint8_t> bytes);
  void Update(std::string_view bytes);
  /// The 32-byte digest; the object must be Reset() before reuse.
  std::array<std::uint8_t, 32> Finish();
  /// Finish() as 64 lower-case hex characters.
  std::string FinishHex();
  void Reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Lower-case hex of bytes.
std::string HexEncode(std::span<const std::uint8_t> bytes);
/// SHA-256 of a whole buffer, hex.
std::string Sha256Hex(std::string_view bytes);
/// SHA-256 of a file's content, read in fixed-size chunks (constant memory), hex.
[[nodiscard]] Result<std::string> Sha256File(const std::string& path);

}  // namespace builder
