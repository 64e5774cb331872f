// Digest parsing against the OCI digest grammar, and sha256 computation.
#include "oci/digest.h"

#include "base/sha256.h"

namespace builder::oci {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsLowerHex(char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'); }
bool IsEncodedChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '=' ||
         c == '_' || c == '-';
}

// algorithm-component (separator algorithm-component)*, separator one of "+._-".
bool ValidAlgorithm(std::string_view a) {
  bool need_alnum = true;
  for (char c : a) {
    if (IsLowerAlnum(c)) {
      need_alnum = false;
    } else if (c == '+' || c == '.' || c == '_' || c == '-') {
      if (need_alnum) return false;
      need_alnum = true;
    } else {
      return false;
    }
  }
  return !need_alnum;
}

// Hex length of the algorithms with a registered encoding; 0 for the others.
std::size_t RegisteredHexLength(std::string_view algorithm) {
  if (algorithm == "sha256") return 64;
  if (algorithm == "sha384") return 96;
  if (algorithm == "sha512") return 128;
  return 0;
}

std::unexpected<Error> Invalid(std::string_view text, std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument,
              "invalid digest \"" + std::string(text) + "\": " + std::string(why));
}

}  // namespace

Result<Digest> Digest::Parse(std::string_view text) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return Invalid(text, "missing ':' after the algorithm");
  std::string_view algorithm = text.substr(0, colon);
  std::string_view encoded = text.substr(colon + 1);
  if (!ValidAlgorithm(algorithm)) return Invalid(text, "malformed algorithm");
  if (encoded.empty()) return Invalid(text, "empty encoded part");
  for (char c : encoded) {
    if (!IsEncodedChar(c)) return Invalid(text, "invalid character in encoded part");
  }
  if (std::size_t want = RegisteredHexLength(algorithm); want != 0) {
    if (encoded.size() != want) {
      return Invalid(text, std::string(algorithm) + " needs " + std::to_string(want) +
                               " hex characters, got " + std::to_string(encoded.size()));
    }
    for (char c : encoded) {
      if (!IsLowerHex(c)) return Invalid(text, "encoded part must be lower-case hex");
    }
  }
  return Digest(std::string(text), colon);
}

Digest Digest::Of(std::string_view bytes) { return Digest("sha256:" + Sha256Hex(bytes), 6); }

Result<Digest> Digest::FromSha256Hex(std::string_view hex) {
  return Parse("sha256:" + std::string(hex));
}

std::string_view Digest::algorithm() const { return std::string_view(value_).substr(0, colon_); }

std::string_view Digest::hex() const {
  if (value_.empty()) return {};
  return std::string_view(value_).substr(colon_ + 1);
}

std::string Digest::ShortId() const { return std::string(hex().substr(0, 12)); }

Result<void> Digest::Verify(std::string_view bytes) const {
  if (!is_sha256()) {
    return Fail(ErrorCode::kUnsupported,
                "cannot verify digest " + value_ + ": only sha256 is supported");
  }
  Digest actual = Of(bytes);
  if (actual != *this) {
    return Fail(ErrorCode::kCorrupt,
                "digest mismatch: expected " + value_ + ", content has " + actual.str());
  }
  return {};
}

}  // namespace builder::oci
