// `builder build --output` and `--metadata-file`: where a finished build is written besides the store.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/image_store.h"
#include "oci/reference.h"

namespace builder::cli {

/// One --output value, as buildx spells it: "type=oci|docker|tar|local,dest=PATH" (for the
/// archive types "-" or no dest is stdout; oci and docker take name=NAME:TAG, the name recorded
/// in the archive instead of the -t tags), a bare PATH as shorthand for type=local,dest=PATH,
/// or "-" for type=tar,dest=-.
struct OutputSpec {
  enum class Type { kOci, kDocker, kTar, kLocal };
  Type type = Type::kLocal;
  std::string dest;
  std::string name;
};

/// Parses one --output value. kInvalidArgument for an unknown type or key, type=local without
/// a dest or with dest=-, name= on tar or local.
[[nodiscard]] Result<OutputSpec> ParseOutputSpec(const std::string& value);

/// The image a build just stored, by its manifest digest (tagged or dangling).
[[nodiscard]] Result<oci::StoredImage> FindBuiltImage(const oci::ImageStore& store, const oci::Digest& manifest);

/// Writes `image` (already in the store) as `spec` asks: the OCI and docker archives name it by
/// each of `tags` (untagged when none), tar and local hold the flattened root filesystem. Files
/// are staged beside dest and renamed over it; stdout refuses a terminal.
[[nodiscard]] Result<void> WriteOutput(const oci::ImageStore& store, const oci::StoredImage& image,
                                       const std::vector<oci::Reference>& tags, const OutputSpec& spec);

/// The JSON buildx writes for --metadata-file: containerimage.digest (manifest),
/// containerimage.config.digest, containerimage.descriptor and, when tagged, image.name (the
/// names, comma-separated).
std::string BuildMetadataJson(const oci::StoredImage& image, const std::vector<oci::Reference>& tags);

}  // namespace builder::cli
