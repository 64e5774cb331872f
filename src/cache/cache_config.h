// The exported build cache's format: the "cache config" blob listing cache entries by key, and
// the OCI image manifest that carries it with the entries' blobs (registry and local export).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "cache/cache_index.h"
#include "cache/cache_key.h"
#include "oci/descriptor.h"
#include "oci/manifest.h"

namespace builder::cache {

/// Media type of the cache config blob. Its JSON (version 1):
///   {"version":1, "entries":[{"key":"<64 hex>", "entry":<CacheEntry JSON>}, ...]}
/// where <CacheEntry JSON> is exactly CacheEntry::Serialize() (cache_index.cc documents the
/// schema: layer descriptor, diff_id, config digest, history, created, description, parent
/// key, step identity and the input hashes). Tree summaries are not exported: they only make
/// miss explanations name files, and can be megabytes.
inline constexpr std::string_view kCacheConfigMediaType = "application/vnd.builder.cache.config.v1+json";

/// The cache manifest is an ordinary OCI image manifest (Debian's docker-registry and skopeo
/// take it): config = the cache config blob (kCacheConfigMediaType), artifactType the same,
/// layers = every layer blob and every entry's image config blob (media type
/// application/vnd.oci.image.config.v1+json) the entries name, each once, in entry order.
inline constexpr std::string_view kCacheArtifactType = kCacheConfigMediaType;

/// One cache entry with its key.
struct KeyedEntry {
  CacheKey key;
  CacheEntry entry;

  bool operator==(const KeyedEntry&) const = default;
};

/// The cache config JSON for entries (in the given order). Tree summaries are dropped.
std::string SerializeCacheConfig(const std::vector<KeyedEntry>& entries);

/// Parses a cache config. Errors: kParse (not JSON), kCorrupt (wrong version or shape, a bad
/// key or entry, a key listed twice), each naming the entry.
[[nodiscard]] Result<std::vector<KeyedEntry>> ParseCacheConfig(std::string_view json);

/// The blobs an export must carry for entries: layers, then entry configs, each digest once.
/// `config_size` gives a config blob's size (entries record only the digest).
[[nodiscard]] Result<std::vector<oci::Descriptor>> CacheBlobs(
    const std::vector<KeyedEntry>& entries,
    const std::function<Result<std::int64_t>(const oci::Digest&)>& config_size);

/// The cache manifest for a cache config blob and the blobs CacheBlobs listed.
oci::Manifest CacheManifest(const oci::Descriptor& cache_config, std::vector<oci::Descriptor> blobs);

/// True when manifest is a cache manifest (its config has kCacheConfigMediaType).
bool IsCacheManifest(const oci::Manifest& manifest);

}  // namespace builder::cache
