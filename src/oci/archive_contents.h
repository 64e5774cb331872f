// ArchiveContents: the files of an image archive (tar stream or layout directory), staged in the
// store's tmp/ with their digests, for the loader to resolve once the metadata is known.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "base/progress.h"
#include "base/staged_file.h"
#include "oci/blob_store.h"
#include "oci/byte_stream.h"
#include "oci/digest.h"

namespace builder::oci {

/// A file of the archive copied into tmp/ (unpublished) with its sha256 and size.
struct StagedEntry {
  std::unique_ptr<StagedFile> file;  ///< null once published
  Digest digest;
  std::int64_t size = 0;
};

/// What an archive holds, by cleaned relative path ("manifest.json", "blobs/sha256/<hex>",
/// "<id>/layer.tar"). The small metadata files (manifest.json, index.json, oci-layout,
/// repositories) are kept in memory; every other regular file is staged as it streams by, so
/// the order of entries in the tar does not matter and nothing is held in memory.
class ArchiveContents {
 public:
  virtual ~ArchiveContents() = default;

  /// A metadata file's bytes, or nullopt when the archive has none.
  virtual std::optional<std::string> Metadata(const std::string& name) const = 0;
  /// The staged entry at path (symlinks and hard links followed); kNotFound when absent.
  [[nodiscard]] virtual Result<StagedEntry*> Get(const std::string& path) = 0;
};

/// Reads the whole tar stream now (compressed or not), staging entries into store's tmp/.
/// A "blobs/sha256/<hex>" entry whose content does not hash to its name fails with kCorrupt
/// naming it. `progress` (may be null) is advanced by the bytes read from `in`.
[[nodiscard]] Result<std::unique_ptr<ArchiveContents>> ReadArchiveStream(
    const BlobStore& store, ByteSource& in, Progress* progress);

/// An OCI layout directory: metadata read at once, files staged lazily on first Get (copied
/// and hashed, so the same checks apply). Paths escaping `dir` are kNotFound.
[[nodiscard]] Result<std::unique_ptr<ArchiveContents>> OpenLayoutDirectory(
    const BlobStore& store, const std::string& dir);

/// The whole content of a staged entry (at most max_size bytes; kInvalidArgument beyond).
[[nodiscard]] Result<std::string> ReadStaged(const StagedEntry& entry,
                                             std::int64_t max_size = kMaxSmallBlob);

}  // namespace builder::oci
