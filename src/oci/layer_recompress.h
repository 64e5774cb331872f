// RecompressLayer: a stored layer blob rewritten in another compression (push --compression).
#pragma once

#include "base/error.h"
#include "oci/descriptor.h"
#include "oci/image_store.h"
#include "oci/media_types.h"

namespace builder::oci {

/// Streams the stored `layer` through its decompressor and a `to` compressor into a new blob of
/// the store (staged, then published under its digest) and returns its descriptor, typed
/// LayerMediaType(format, to). The uncompressed tar, and so the diff_id, is unchanged. The
/// source blob's digest is verified at its end (kCorrupt; nothing is published then). Callers
/// hold ImageStore::LockBlobsShared() until the new blob is referenced or no longer needed.
[[nodiscard]] Result<Descriptor> RecompressLayer(const ImageStore& store, const Descriptor& layer, Compression to,
                                                 ImageFormat format);

}  // namespace builder::oci
