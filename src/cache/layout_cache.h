// The build cache exported to an OCI image layout directory (--cache-to type=local,dest=DIR,
// --cache-from type=local,src=DIR), for CI systems that keep directories between runs.
#pragma once

#include <string>

#include "cache/cache_transfer.h"

namespace builder::cache {

/// Writes an OCI layout at dir (created when missing): blobs/sha256/, oci-layout, and an
/// index.json whose one manifest entry is the cache manifest (artifactType
/// kCacheArtifactType). Blobs are published temp + fsync + rename; index.json last, replacing
/// an earlier export's (its blobs stay; they are content-addressed). skopeo reads it as
/// oci:DIR.
class LayoutCacheWriter final : public CacheWriter {
 public:
  /// Errors: kIo when dir cannot be created.
  [[nodiscard]] static Result<LayoutCacheWriter> Open(const std::string& dir);
  [[nodiscard]] Result<void> PutBlob(const oci::BlobStore& from, const oci::Descriptor& d) override;
  [[nodiscard]] Result<void> PutSmallBlob(const oci::Descriptor& d, std::string_view bytes) override;
  [[nodiscard]] Result<void> PutManifest(std::string_view bytes) override;

 private:
  explicit LayoutCacheWriter(oci::BlobStore blobs) : blobs_(std::move(blobs)) {}
  oci::BlobStore blobs_;
};

/// Reads a cache from an OCI layout written by LayoutCacheWriter (or copied by skopeo): the
/// index.json entry with the cache artifact type, else the only manifest there. Never writes
/// to dir.
class LayoutCacheReader final : public CacheReader {
 public:
  explicit LayoutCacheReader(std::string dir) : dir_(std::move(dir)) {}
  [[nodiscard]] Result<std::string> GetManifest() override;
  [[nodiscard]] Result<std::string> ReadSmallBlob(const oci::Descriptor& d) override;
  [[nodiscard]] Result<void> FetchBlob(const oci::Descriptor& d, const oci::BlobStore& into) override;

 private:
  std::string BlobPath(const oci::Digest& d) const;
  std::string dir_;
};

}  // namespace builder::cache
