// ExportToLayout: one image (or image index) copied from the store into another OCI layout dir.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "oci/descriptor.h"
#include "oci/image_store.h"

namespace builder::oci {

/// Copies `entry` (an index.json entry of `store`: a manifest, or an index whose manifests are
/// all stored) and every blob it references into the OCI image layout at `dir` (created when
/// missing, as skopeo's `oci:DIR`), each blob verified while copied, then lists it in dir's
/// index.json under `name` as org.opencontainers.image.ref.name (replacing an entry of that
/// name), or unnamed when `name` is empty. Blobs come first, index.json last, so an
/// interrupted export never names a missing blob. kNotFound for a manifest the store lacks,
/// kCorrupt for a blob whose digest is wrong.
[[nodiscard]] Result<void> ExportToLayout(const ImageStore& store, const Descriptor& entry,
                                          const std::string& dir, std::string_view name);

}  // namespace builder::oci
