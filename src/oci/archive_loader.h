// LoadImages: `builder load`, docker-archive and OCI archives (or layout directories) into the store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/progress.h"
#include "oci/archive_contents.h"
#include "oci/byte_stream.h"
#include "oci/image_store.h"
#include "oci/reference.h"

namespace builder::oci {

/// One image that was loaded, with the tags now pointing at it (empty: loaded untagged).
struct LoadedImage {
  Descriptor manifest;
  Digest id;  ///< config digest
  std::vector<Reference> tags;
};

struct LoadOptions {
  /// Advanced by the bytes of the input read (tar streams only); may be null.
  Progress* progress = nullptr;
  /// Input size for the progress total, 0 when unknown.
  std::uint64_t total = 0;
};

/// Loads every image of an archive read from `in` (plain, gzip or zstd tar, detected by magic):
///  - OCI archives / Docker 25+ saves: index.json entries (manifests, or indexes with the
///    manifests they carry); tags from io.containerd.image.name (a full name) or else
///    org.opencontainers.image.ref.name when it is a name ("app:1.0"); a bare tag alone ("1")
///    names no repository, so that image loads untagged. index.json wins over manifest.json
///    unless it lists nothing.
///  - docker-archives without index.json (old style <id>/layer.tar and <id>.json, or skopeo's
///    <hex>.tar): manifest.json Config/Layers/RepoTags. The config blob is kept byte for byte
///    (same image id), layers as they are (uncompressed ones typed ...layer.v1.tar), and a new
///    OCI manifest is written.
/// Every blob is checked against its digest before it is published and every layer's diff_id
/// against the config's rootfs.diff_ids (kCorrupt naming the layer). Images are tagged only
/// after all of them verified, so a damaged archive tags nothing. The store's shared blob lock
/// is held from the first published blob until the last tag is written.
[[nodiscard]] Result<std::vector<LoadedImage>> LoadImages(const ImageStore& store, ByteSource& in,
                                                          const LoadOptions& options = {});
/// The same for an OCI image layout directory.
[[nodiscard]] Result<std::vector<LoadedImage>> LoadImagesFromLayout(const ImageStore& store,
                                                                    const std::string& dir,
                                                                    const LoadOptions& options = {});
/// The resolution step shared by both: contents already staged.
[[nodiscard]] Result<std::vector<LoadedImage>> LoadImagesFrom(const ImageStore& store,
                                                              ArchiveContents& contents);

}  // namespace builder::oci
