// BlobStore: the content-addressed blobs/sha256/ area of the local store, written atomically and
// verified on read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/staged_file.h"
#include "base/unique_fd.h"
#include "oci/byte_stream.h"
#include "oci/descriptor.h"
#include "oci/digest.h"

namespace builder::oci {

/// Largest blob Read() loads into memory unless told otherwise (manifests, configs, indexes).
inline constexpr std::int64_t kMaxSmallBlob = 32 << 20;

/// The blobs of one store: `<root>/blobs/sha256/<hex>`, staged in `<root>/tmp/` (same
/// filesystem, so publishing is a rename). Every blob appears whole or not at all: writers stage
/// a temp file, fsync it, rename it into place and fsync the directory. A writer killed at any
/// moment leaves at most a temp file in tmp/ (which prune removes once it is an hour old).
/// Concurrent writers of the same blob are harmless: both renames publish identical bytes.
///
/// Blobs are never trusted: Read() and Open() check the digest (and size when known) and fail
/// with kCorrupt on a mismatch. A blob that is published but not yet referenced from index.json
/// is garbage to prune; writers keep it alive by holding ImageStore::LockBlobsShared() until the
/// image referencing it is tagged.
///
/// Only sha256 digests are stored; other algorithms fail with kUnsupported. The object is a
/// value (a root path); methods are safe to call from several threads and processes.
class BlobStore {
 public:
  /// A store rooted at `root`; creates `blobs/sha256/` and `tmp/` when missing.
  [[nodiscard]] static Result<BlobStore> Open(std::string root);

  const std::string& root() const { return root_; }
  /// `<root>/tmp`: staging for blobs and anything else that is renamed into the store.
  std::string TmpDir() const;
  /// `<root>/blobs/sha256/<hex>` (whether or not it exists).
  std::string PathOf(const Digest& digest) const;

  /// True when the blob file exists (its content is not checked; see Verify).
  bool Has(const Digest& digest) const;
  /// The stored size in bytes; kNotFound when absent.
  [[nodiscard]] Result<std::int64_t> SizeOf(const Digest& digest) const;

  /// A temp file in tmp/ for a writer that computes the digest itself (LayerBlobWriter writes
  /// to staged.fd()); publish it with Commit().
  [[nodiscard]] Result<StagedFile> Stage() const;
  /// Publishes a staged file as the blob `digest`, trusting the writer's hash. When the blob
  /// already exists the staged file is discarded. The staged file is spent either way.
  [[nodiscard]] Result<void> Commit(StagedFile staged, const Digest& digest) const;

  /// Stores small in-memory content (configs, manifests) and returns its descriptor.
  [[nodiscard]] Result<Descriptor> Put(std::string_view media_type, std::string_view bytes) const;
  /// Streams `source` into a staged file, checks size and digest against `expected` and only
  /// then publishes it. kCorrupt on mismatch (nothing is published). When the blob is already
  /// present the source is not read at all.
  [[nodiscard]] Result<void> Ingest(ByteSource& source, const Descriptor& expected) const;

  /// The whole blob, verified. kNotFound when absent, kCorrupt on a digest mismatch,
  /// kInvalidArgument when it is larger than max_size (layers must be streamed with Open()).
  [[nodiscard]] Result<std::string> Read(const Digest& digest,
                                         std::int64_t max_size = kMaxSmallBlob) const;
  /// Read() that also checks the descriptor's size (kCorrupt when it differs).
  [[nodiscard]] Result<std::string> Read(const Descriptor& descriptor) const;
  /// A streaming reader that hashes what it yields; at the end of the stream (Read returns 0)
  /// it fails with kCorrupt instead when the digest or, if given, the size does not match.
  /// Consumers must read to the end before trusting the bytes. kNotFound when absent.
  [[nodiscard]] Result<std::unique_ptr<ByteSource>> Open(
      const Digest& digest, std::optional<std::int64_t> expected_size = std::nullopt) const;
  /// The blob file opened read-only, unverified: for readers that verify themselves
  /// (UnpackLayer and LayerBlobReader check the digest at the end of the blob).
  [[nodiscard]] Result<UniqueFd> OpenFd(const Digest& digest) const;
  /// Re-hashes the whole blob (constant memory). kNotFound, or kCorrupt naming what differs.
  [[nodiscard]] Result<void> Verify(const Digest& digest,
                                    std::optional<std::int64_t> expected_size = std::nullopt) const;

  /// Unlinks the blob; absent blobs are not an error.
  [[nodiscard]] Result<void> Remove(const Digest& digest) const;
  /// Every stored blob, sorted. Files in blobs/sha256/ whose names are not 64 lower-case hex
  /// characters are skipped (fsck reports them via ListStrays).
  [[nodiscard]] Result<std::vector<Digest>> List() const;
  /// Names in blobs/sha256/ that are not blob names (stray or foreign files).
  [[nodiscard]] Result<std::vector<std::string>> ListStrays() const;

 private:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}
  [[nodiscard]] Result<void> CheckAlgorithm(const Digest& digest) const;

  std::string root_;
};

}  // namespace builder::oci
