// --cache-from and --cache-to of a build: importing caches into the local cache index before
// planning, exporting the build's entries afterwards (local layout, registry, or inline).
#pragma once

#include <vector>

#include "base/error.h"
#include "cache/cache_spec.h"
#include "executor/build_reporter.h"
#include "executor/executor.h"
#include "oci/image_store.h"
#include "registry/registry_transport.h"

namespace builder::executor {

/// Imports every spec into the store's cache index (blobs fetched up front), in order; an
/// entry already in the index is kept. A source that cannot be read is a warning, as in
/// BuildKit (the first build of a CI pipeline has no cache yet); the build goes on.
void ImportBuildCaches(const oci::ImageStore& store, const std::vector<cache::CacheSpec>& specs,
                       registry::RegistryTransport& transport, BuildReporter& report);

/// Fails (kInvalidArgument) for a --cache-to this build cannot write, before anything is
/// built: a type=registry ref that does not parse or names a digest instead of a tag.
[[nodiscard]] Result<void> CheckCacheExports(const std::vector<cache::CacheSpec>& specs);

/// Exports the entries of outcome's steps to every spec (type=inline was handled by Execute
/// through ExecuteOptions::inline_cache): mode=min the final stage's chain, mode=max every
/// stage's. Errors name the destination; with ignore-error=true they are warnings.
[[nodiscard]] Result<void> ExportBuildCaches(const oci::ImageStore& store,
                                             const std::vector<cache::CacheSpec>& specs,
                                             const BuildOutcome& outcome,
                                             registry::RegistryTransport& transport,
                                             BuildReporter& report);

}  // namespace builder::executor
