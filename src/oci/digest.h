// Digest: a content address "<algorithm>:<encoded>" as the OCI image spec defines it.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "base/error.h"

namespace builder::oci {

/// A validated content digest. The grammar is the OCI one
/// (`[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`); the registered algorithms sha256, sha384
/// and sha512 must also carry exactly 64/96/128 lower-case hex characters. Unregistered
/// algorithms that follow the grammar are accepted (the spec asks readers to tolerate them) but
/// only sha256 can be computed or verified here. A default-constructed Digest is empty().
class Digest {
 public:
  Digest() = default;

  /// Parses "sha256:<64 lower-case hex>" and the other forms above.
  /// Errors: kInvalidArgument naming what is wrong (missing ':', bad algorithm, bad length, ...).
  [[nodiscard]] static Result<Digest> Parse(std::string_view text);
  /// The sha256 digest of bytes.
  static Digest Of(std::string_view bytes);
  /// "sha256:" + hex; kInvalidArgument unless hex is 64 lower-case hex characters.
  [[nodiscard]] static Result<Digest> FromSha256Hex(std::string_view hex);

  /// The whole digest, "sha256:abc...". Empty for a default-constructed Digest.
  const std::string& str() const { return value_; }
  std::string_view algorithm() const;
  /// The encoded part after ':' (hex for the registered algorithms).
  std::string_view hex() const;
  /// The first 12 characters of hex(), as docker prints image ids.
  std::string ShortId() const;
  bool empty() const { return value_.empty(); }
  bool is_sha256() const { return algorithm() == "sha256"; }

  /// Checks that bytes hash to this digest. kCorrupt on mismatch, kUnsupported unless sha256.
  [[nodiscard]] Result<void> Verify(std::string_view bytes) const;

  auto operator<=>(const Digest&) const = default;

 private:
  explicit Digest(std::string value, std::size_t colon) : value_(std::move(value)), colon_(colon) {}

  std::string value_;
  std::size_t colon_ = 0;
};

}  // namespace builder::oci
