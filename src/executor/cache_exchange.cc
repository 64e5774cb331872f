// Running a build's cache imports and exports over the local layout and registry transports.
#include "executor/cache_exchange.h"

#include "cache/cache_index.h"
#include "cache/cache_transfer.h"
#include "cache/layout_cache.h"
#include "executor/registry_cache.h"
#include "oci/reference.h"

namespace builder::executor {
namespace {

std::string Describe(const cache::CacheSpec& spec) {
  switch (spec.type) {
    case cache::CacheSpec::Type::kLocal: return "local cache " + spec.dir;
    case cache::CacheSpec::Type::kInline: return "inline cache";
    case cache::CacheSpec::Type::kRegistry: break;
  }
  return "registry cache " + spec.ref;
}

Result<cache::TransferStats> ImportOne(const oci::ImageStore& store, const cache::CacheIndex& index,
                                       const cache::CacheSpec& spec, registry::RegistryTransport& transport) {
  if (spec.type == cache::CacheSpec::Type::kLocal) {
    cache::LayoutCacheReader reader(spec.dir);
    return cache::ImportCache(store, index, reader);
  }
  oci::Reference ref = BUILDER_TRY(oci::Reference::ParseDockerRef(spec.ref));
  return ImportRegistryCache(store, index, transport, ref, /*read_inline=*/spec.plain_ref);
}

Result<cache::TransferStats> ExportOne(const oci::ImageStore& store, const cache::CacheSpec& spec,
                                       const std::vector<cache::KeyedEntry>& entries,
                                       registry::RegistryTransport& transport) {
  if (spec.type == cache::CacheSpec::Type::kLocal) {
    cache::LayoutCacheWriter writer = BUILDER_TRY(cache::LayoutCacheWriter::Open(spec.dir));
    return cache::ExportCache(store, entries, writer);
  }
  oci::Reference ref = BUILDER_TRY(oci::Reference::ParseDockerRef(spec.ref));
  RegistryCacheWriter writer(transport, ref);
  return cache::ExportCache(store, entries, writer);
}

}  // namespace

Result<void> CheckCacheExports(const std::vector<cache::CacheSpec>& specs) {
  for (const cache::CacheSpec& spec : specs) {
    if (spec.type != cache::CacheSpec::Type::kRegistry) continue;
    auto ref = oci::Reference::ParseDockerRef(spec.ref);
    if (!ref) return Fail(std::move(ref.error()).Context("--cache-to ref=" + spec.ref));
    if (ref->digest())
      return Fail(ErrorCode::kInvalidArgument, "--cache-to ref=" + spec.ref + ": the cache is tagged; name a tag, not a digest");
  }
  return {};
}

void ImportBuildCaches(const oci::ImageStore& store, const std::vector<cache::CacheSpec>& specs,
                       registry::RegistryTransport& transport, BuildReporter& report) {
  if (specs.empty()) return;
  auto index = cache::CacheIndex::Open(store);
  if (!index) {
    report.Note("WARNING: build cache not imported: " + index.error().ToString());
    return;
  }
  for (const cache::CacheSpec& spec : specs) {
    auto stats = ImportOne(store, *index, spec, transport);
    if (!stats) {
      report.Note("WARNING: importing " + Describe(spec) + " failed: " + stats.error().ToString());
      continue;
    }
    report.Note("importing " + Describe(spec) + ": " + std::to_string(stats->entries) + " entries, " +
                std::to_string(stats->blobs) + " blobs fetched");
  }
}

Result<void> ExportBuildCaches(const oci::ImageStore& store, const std::vector<cache::CacheSpec>& specs,
                               const BuildOutcome& outcome, registry::RegistryTransport& transport,
                               BuildReporter& report) {
  if (specs.empty() || outcome.stage_keys.empty()) return {};
  cache::CacheIndex index = BUILDER_TRY(cache::CacheIndex::Open(store));
  // The blobs being copied out must not be collected by a concurrent prune.
  FileLock gc_lock = BUILDER_TRY(store.LockBlobsShared());
  for (const cache::CacheSpec& spec : specs) {
    if (spec.type == cache::CacheSpec::Type::kInline) continue;  // written into the image
    std::vector<cache::CacheKey> tips{outcome.stage_keys.back()};
    if (spec.max) tips = outcome.stage_keys;
    auto exported = [&]() -> Result<cache::TransferStats> {
      auto entries = BUILDER_TRY(cache::CollectChains(index, tips));
      return ExportOne(store, spec, entries, transport);
    }();
    if (!exported) {
      Error e = std::move(exported.error()).Context("export " + Describe(spec));
      if (!spec.ignore_error) return Fail(std::move(e));
      report.Note("WARNING: " + e.ToString());
      continue;
    }
    report.Note("exported " + Describe(spec) + ": " + std::to_string(exported->entries) + " entries, " +
                std::to_string(exported->blobs) + " blobs");
  }
  return {};
}

}  // namespace builder::executor
