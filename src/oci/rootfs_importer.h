// ImportRootfs: `builder import`, a root filesystem tar made into a one-layer image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"
#include "base/progress.h"
#include "oci/byte_stream.h"
#include "oci/compression.h"
#include "oci/image_config.h"
#include "oci/image_store.h"
#include "oci/platform.h"
#include "oci/reference.h"

namespace builder::oci {

struct ImportOptions {
  /// How the layer blob is compressed (gzip by default, like docker).
  CompressOptions compression;
  /// SOURCE_DATE_EPOCH: entry mtimes later than it are clamped to it and the image's `created`
  /// is set to it. Without it `created` is the current time.
  std::optional<std::int64_t> source_date_epoch;
  /// The image's os/architecture/variant (docker import uses the host's).
  Platform platform = Platform::Host();
  /// The container config (--change edits already applied); docker import sets no defaults.
  ContainerConfig config;
  /// The history comment: -m MSG, or "Imported from <source>".
  std::string comment;
  /// Tagged once the image is written; untagged (a dangling image) when absent.
  std::optional<Reference> tag;
  /// Reports input bytes read; may be null. `total` is the input size, 0 when unknown.
  Progress* progress = nullptr;
  std::uint64_t total = 0;
};

struct ImportResult {
  Descriptor manifest;
  Digest id;  ///< the config digest, which `docker import` prints
};

/// Reads a tar (plain, gzip, zstd, xz or bzip2) from `tar` and stores it as the single layer of
/// a new image. Entries keep their order, names, modes, owners, xattrs and links; they are
/// rewritten as PAX with numeric owners only, without atime/ctime, and mtimes clamped to
/// SOURCE_DATE_EPOCH, so one input gives one image digest. The layer is written to tmp/ while
/// its digest and diff_id are computed in the same pass, then published with the config and
/// manifest under the store's shared blob lock, which is held until the tag is written.
/// The history has one entry: created_by "", comment as given.
/// Errors: kCorrupt when the input is not a tar, kIo for store failures.
[[nodiscard]] Result<ImportResult> ImportRootfs(const ImageStore& store, ByteSource& tar,
                                                const ImportOptions& options);

/// RFC 3339 in UTC with nanoseconds when non-zero, as Go's time.RFC3339Nano.
std::string FormatRfc3339(std::int64_t seconds, std::int64_t nanos = 0);

}  // namespace builder::oci
