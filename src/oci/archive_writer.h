// SaveImages: `builder save`, one tar that is both a docker-archive and an OCI image layout.
#pragma once

#include <vector>

#include "base/error.h"
#include "base/progress.h"
#include "oci/byte_stream.h"
#include "oci/image_store.h"
#include "oci/reference.h"

namespace builder::oci {

/// One image to save and the names to record for it (none: saved by id, untagged).
struct SaveRequest {
  StoredImage image;
  std::vector<Reference> tags;
};

struct SaveOptions {
  /// Reports the bytes of blobs written; may be null.
  Progress* progress = nullptr;
};

/// Writes the images as one tar, in the layout Docker 25+ writes:
///   blobs/sha256/<hex>   configs, manifests and layers exactly as stored (compressed layers
///                        included; docker-archive readers accept them since Docker 25)
///   index.json           one entry per tag with io.containerd.image.name = full name and
///                        org.opencontainers.image.ref.name = tag; untagged images once, bare
///   manifest.json        [{Config, RepoTags, Layers}] pointing into blobs/
///   oci-layout, repositories
/// Entries are sorted by name, with mtime 0, owner 0:0 and no owner names, so saving the same
/// images twice gives identical bytes. Image-index entries are saved as their host-platform
/// manifest. Every blob is verified while it is copied (kCorrupt names it). `out` is not closed.
[[nodiscard]] Result<void> SaveImages(const ImageStore& store,
                                      const std::vector<SaveRequest>& requests, ByteSink& out,
                                      const SaveOptions& options = {});

}  // namespace builder::oci
