// ExportRootfs: an image's layers flattened into one tree, as a directory or as one plain tar.
#pragma once

#include <string>

#include "base/error.h"
#include "oci/byte_stream.h"
#include "oci/image_store.h"

namespace builder::oci {

/// Applies every layer of `image` to `dir` (created when missing; what is already there stays
/// unless a layer replaces or whites it out), as `builder build --output type=local` does.
[[nodiscard]] Result<void> ExportRootfsDir(const ImageStore& store, const StoredImage& image,
                                           const std::string& dir);

/// Writes the flattened tree of `image` to `out` as one uncompressed tar with no whiteouts
/// (`--output type=tar`). The tree is unpacked in the store's tmp/ first, so ownership and
/// special files are what the layers say, and removed afterwards. Unprivileged, owners cannot
/// be set: the caller's files are recorded as 0:0 (others as 65534). `out` is not closed.
[[nodiscard]] Result<void> ExportRootfsTar(const ImageStore& store, const StoredImage& image,
                                           ByteSink& out);

}  // namespace builder::oci
