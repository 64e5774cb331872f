// ImageIndex: an OCI image index or a Docker manifest list (one manifest per platform).
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

/// A list of manifests (or nested indexes), usually one per platform.
struct ImageIndex {
  int schema_version = 2;
  /// kOciIndex or kDockerManifestList; Parse() fills in kOciIndex when the document has none.
  std::string media_type = std::string(kOciIndex);
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;

  /// Parses an OCI index or a Docker manifest list. schemaVersion must be 2 and manifests
  /// present (it may be empty: an empty store's index.json); a mediaType, when present, must be
  /// an index type (a manifest type is rejected, naming it). Unknown fields are ignored.
  /// Errors: kParse for malformed JSON, kCorrupt naming the field.
  [[nodiscard]] static Result<ImageIndex> Parse(std::string_view json);
  /// Canonical JSON: schemaVersion, mediaType, artifactType, manifests, subject, annotations;
  /// empty optional fields left out; no whitespace.
  std::string Serialize() const;
  /// Rewritten with format's media types (the index and the manifest entries), then
  /// serialized. kUnsupported for kDocker when artifactType or subject is set. Only the
  /// entries' types change: the caller converts the referenced manifests too and updates the
  /// entries' digests and sizes (Manifest::Serialize(format)).
  [[nodiscard]] Result<std::string> Serialize(ImageFormat format) const;
  [[nodiscard]] Result<ImageIndex> ConvertedTo(ImageFormat format) const;

  ImageFormat format() const;

  /// The manifest entries whose platform matches want (see Platform::Matches), in order.
  /// Entries without a platform (attestations, nested indexes) never match. The pointers are
  /// valid while this index lives unmodified.
  std::vector<const Descriptor*> FindPlatform(const Platform& want) const;

  bool operator==(const ImageIndex&) const = default;
};

}  // namespace builder::oci
