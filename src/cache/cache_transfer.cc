// Export walks cache chains and copies their blobs out; import fetches them back and records
// the entries, so a hit on an imported entry is the same as a local one.
#include "cache/cache_transfer.h"

#include <map>
#include <set>

#include "base/file_lock.h"
#include "oci/manifest.h"

namespace builder::cache {

Result<std::vector<KeyedEntry>> CollectChains(const CacheIndex& index,
                                              const std::vector<CacheKey>& tips) {
  std::vector<KeyedEntry> out;
  std::set<std::string> seen;
  for (const CacheKey& tip : tips) {
    std::vector<KeyedEntry> chain;
    CacheKey key = tip;
    while (!key.empty() && !seen.count(key.hex())) {
      auto entry = BUILDER_TRY(index.Lookup(key));
      if (!entry) break;
      seen.insert(key.hex());
      CacheKey parent = entry->parent;
      chain.push_back({key, std::move(*entry)});
      key = parent;
    }
    out.insert(out.end(), std::make_move_iterator(chain.rbegin()), std::make_move_iterator(chain.rend()));
  }
  return out;
}

Result<TransferStats> ExportCache(const oci::ImageStore& store, const std::vector<KeyedEntry>& entries,
                                  CacheWriter& writer) {
  TransferStats stats;
  auto blobs = BUILDER_TRY(CacheBlobs(entries, [&store](const oci::Digest& d) { return store.blobs().SizeOf(d); }));
  for (const oci::Descriptor& d : blobs) {
    auto put = writer.PutBlob(store.blobs(), d);
    if (!put) return Fail(std::move(put.error()).Context("export cache blob " + d.digest.str()));
    ++stats.blobs;
  }
  std::string config = SerializeCacheConfig(entries);
  oci::Descriptor config_desc = oci::Descriptor::For(kCacheConfigMediaType, config);
  BUILDER_TRY(writer.PutSmallBlob(config_desc, config));
  oci::Manifest manifest = CacheManifest(config_desc, std::move(blobs));
  BUILDER_TRY(writer.PutManifest(manifest.Serialize()));
  stats.entries = entries.size();
  return stats;
}

Result<TransferStats> RecordImported(const oci::ImageStore& store, const CacheIndex& index,
                                     const std::vector<KeyedEntry>& entries) {
  (void)store;
  TransferStats stats;
  for (const KeyedEntry& k : entries) {
    if (BUILDER_TRY(index.Lookup(k.key))) continue;  // a usable local entry wins
    BUILDER_TRY(index.Record(k.key, k.entry));
    ++stats.entries;
  }
  return stats;
}

Result<TransferStats> ImportCache(const oci::ImageStore& store, const CacheIndex& index,
                                  CacheReader& reader) {
  std::string bytes = BUILDER_TRY(reader.GetManifest());
  auto manifest = oci::Manifest::Parse(bytes);
  if (!manifest) return Fail(std::move(manifest.error()).Context("cache manifest"));
  if (!IsCacheManifest(*manifest)) {
    return Fail(ErrorCode::kCorrupt, "not a build cache manifest (config media type " +
                                         manifest->config.media_type + ")");
  }
  std::string config = BUILDER_TRY(reader.ReadSmallBlob(manifest->config));
  std::vector<KeyedEntry> entries = BUILDER_TRY(ParseCacheConfig(config));
  std::map<std::string, oci::Descriptor> carried;
  for (const oci::Descriptor& d : manifest->layers) carried.emplace(d.digest.str(), d);

  FileLock lock = BUILDER_TRY(store.LockBlobsShared());
  TransferStats stats;
  std::vector<KeyedEntry> fresh;
  for (KeyedEntry& k : entries) {
    if (BUILDER_TRY(index.Lookup(k.key))) continue;
    std::vector<oci::Digest> needed{k.entry.config};
    if (k.entry.layer) needed.push_back(k.entry.layer->digest);
    for (const oci::Digest& digest : needed) {
      if (store.blobs().Has(digest)) continue;
      auto it = carried.find(digest.str());
      if (it == carried.end()) {
        return Fail(ErrorCode::kCorrupt, "cache entry " + k.key.hex().substr(0, 12) + " names blob " +
                                             digest.str() + " the cache manifest does not carry");
      }
      auto fetched = reader.FetchBlob(it->second, store.blobs());
      if (!fetched) return Fail(std::move(fetched.error()).Context("import cache blob " + digest.str()));
      ++stats.blobs;
    }
    fresh.push_back(std::move(k));
  }
  TransferStats recorded = BUILDER_TRY(RecordImported(store, index, fresh));
  stats.entries = recorded.entries;
  return stats;
}

}  // namespace builder::cache
