// Manifest: an OCI image manifest or a Docker schema-2 manifest (config + layers).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/descriptor.h"
#include "oci/media_types.h"

namespace builder::oci {

/// One image: its config blob and its layers, bottom first.
struct Manifest {
  int schema_version = 2;
  /// kOciManifest or kDockerManifest. Serialize() writes it as is; Parse() fills in
  /// kOciManifest when the document leaves it out (the OCI spec allows that).
  std::string media_type = std::string(kOciManifest);
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;

  /// Parses an OCI or Docker schema-2 manifest. schemaVersion must be 2; config and layers are
  /// required (layers may be empty: docker writes [] for images without layers); a mediaType,
  /// when present, must be a manifest type (an index type is rejected, naming it). Unknown
  /// fields are ignored. Errors: kParse for malformed JSON, kCorrupt naming the field.
  [[nodiscard]] static Result<Manifest> Parse(std::string_view json);
  /// Canonical JSON: schemaVersion, mediaType, artifactType, config, layers, subject,
  /// annotations; empty optional fields left out; no whitespace.
  std::string Serialize() const;
  /// This manifest rewritten with the media types of format (manifest, config and the known
  /// layer types), then serialized. kUnsupported for kDocker when the manifest uses what
  /// schema 2 cannot express (artifactType, subject, an artifact config).
  [[nodiscard]] Result<std::string> Serialize(ImageFormat format) const;
  /// The same conversion without serializing.
  [[nodiscard]] Result<Manifest> ConvertedTo(ImageFormat format) const;

  /// The format media_type names (kDocker only for kDockerManifest).
  ImageFormat format() const;

  bool operator==(const Manifest&) const = default;
};

}  // namespace builder::oci
