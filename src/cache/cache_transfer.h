// Exporting cache entries to, and importing them from, a cache store outside the local store
// (an OCI layout directory, a registry repository), through two small transport interfaces.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/error.h"
#include "cache/cache_config.h"
#include "cache/cache_index.h"
#include "oci/descriptor.h"
#include "oci/image_store.h"

namespace builder::cache {

/// Where an export goes. Blobs are written before the manifest that names them.
class CacheWriter {
 public:
  virtual ~CacheWriter() = default;
  /// Copies blob d from `from` (verified while read) unless the target has it already.
  [[nodiscard]] virtual Result<void> PutBlob(const oci::BlobStore& from, const oci::Descriptor& d) = 0;
  /// Stores small content (the cache config) as a blob.
  [[nodiscard]] virtual Result<void> PutSmallBlob(const oci::Descriptor& d, std::string_view bytes) = 0;
  /// Publishes the cache manifest (OCI image manifest bytes) as the export's one manifest.
  [[nodiscard]] virtual Result<void> PutManifest(std::string_view bytes) = 0;
};

/// Where an import comes from.
class CacheReader {
 public:
  virtual ~CacheReader() = default;
  /// The cache manifest bytes; kNotFound when there is no cache there (yet).
  [[nodiscard]] virtual Result<std::string> GetManifest() = 0;
  /// A small blob (the cache config), verified against d.
  [[nodiscard]] virtual Result<std::string> ReadSmallBlob(const oci::Descriptor& d) = 0;
  /// Streams blob d into `into`, verified (nothing is published on a mismatch).
  [[nodiscard]] virtual Result<void> FetchBlob(const oci::Descriptor& d, const oci::BlobStore& into) = 0;
};

/// The entries of the steps that led to each tip key: the tip's entry, its parent's, ... up
/// to a key without an entry (a stage's base key). Each key once, tips in order, each chain
/// base first. Entries whose blobs are gone are left out with their ancestors (Lookup misses).
[[nodiscard]] Result<std::vector<KeyedEntry>> CollectChains(const CacheIndex& index,
                                                            const std::vector<CacheKey>& tips);

struct TransferStats {
  std::size_t entries = 0;  ///< entries exported / imported (new to the local index)
  std::size_t blobs = 0;    ///< blobs written / fetched
};

/// Writes entries, their blobs and the cache manifest through writer. The blobs must be in
/// store (CollectChains' entries are).
[[nodiscard]] Result<TransferStats> ExportCache(const oci::ImageStore& store,
                                                const std::vector<KeyedEntry>& entries,
                                                CacheWriter& writer);

/// Reads the cache manifest and config through reader, fetches the blobs the local store lacks
/// and records every entry the local index does not have yet (existing entries are kept).
/// Holds the store's shared blob lock meanwhile, so prune cannot collect fetched blobs before
/// their entry is recorded. Errors: kCorrupt when the manifest is not a cache manifest or an
/// entry names a blob the manifest does not carry.
[[nodiscard]] Result<TransferStats> ImportCache(const oci::ImageStore& store, const CacheIndex& index,
                                                CacheReader& reader);

/// Records already parsed entries whose blobs the caller has put in the store (inline cache).
[[nodiscard]] Result<TransferStats> RecordImported(const oci::ImageStore& store,
                                                   const CacheIndex& index,
                                                   const std::vector<KeyedEntry>& entries);

}  // namespace builder::cache
