// Descriptor: the typed pointer (media type, digest, size) that links OCI content together.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/digest.h"
#include "oci/platform.h"

namespace builder::oci {

/// An OCI content descriptor (also the shape of Docker schema-2 references).
struct Descriptor {
  std::string media_type;
  Digest digest;
  std::int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::string data;  ///< the embedded content, base64 as written in JSON ("data"); rarely used
  std::optional<Platform> platform;
  std::string artifact_type;

  /// A descriptor for bytes held in memory: digest and size computed, media type as given.
  static Descriptor For(std::string_view media_type, std::string_view bytes);

  /// Parses a descriptor JSON object. mediaType, digest and size are required; mediaType and
  /// artifactType must follow RFC 6838 (type/subtype, each 1..127 characters); size must be a
  /// non-negative integer. Unknown fields are ignored.
  /// Errors: kParse for malformed JSON, kCorrupt naming the offending field otherwise.
  [[nodiscard]] static Result<Descriptor> Parse(std::string_view json);
  /// Canonical JSON: mediaType, digest, size, urls, annotations, data, platform, artifactType
  /// (Go's field order), empty optional fields left out, no whitespace.
  std::string Serialize() const;

  bool operator==(const Descriptor&) const = default;
};

/// True when s is a well-formed media type ("type/subtype" per the OCI schema's pattern).
bool IsValidMediaType(std::string_view s);

}  // namespace builder::oci
