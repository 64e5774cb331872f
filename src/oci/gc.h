// Prune: mark-and-sweep collection of blobs, snapshots and stale staging files in the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "base/error.h"
#include "base/progress.h"
#include "oci/image_store.h"

namespace builder::oci {

struct PruneOptions {
  /// tmp/ entries without a staging lease (see StagingTemplate) older than this are leftovers
  /// and are removed; leased ones go as soon as their process is gone, never while it lives.
  std::chrono::seconds tmp_max_age = std::chrono::hours(1);
  /// Reports the sweep (bytes freed); may be null.
  Progress* progress = nullptr;
  /// More roots besides index.json (the build cache's layers and configs), called once the gc
  /// lock is held so that nothing recorded before prune started is missed. Each root is marked
  /// like an index.json entry; a config root also keeps the snapshots of its layer chain.
  /// Roots whose blobs are absent or unreadable are skipped, not fatal. May be empty.
  std::function<Result<std::vector<Descriptor>>()> extra_roots;
};

struct PruneStats {
  std::uint64_t blobs_deleted = 0;
  std::uint64_t snapshots_deleted = 0;
  std::uint64_t diffs_deleted = 0;
  std::uint64_t tmp_deleted = 0;
  std::uint64_t bytes_reclaimed = 0;
};

/// Collects what no image references. Mark: every index.json entry (tagged or not), through
/// nested indexes, to each manifest's config and layers (and subject), and the chain IDs of
/// every marked image. Sweep: unmarked blobs, snapshot directories no marked chain names, diff
/// dirs (DiffStore) no marked config lists, and tmp/ entries of dead writers (their lease is
/// free) or, without a lease, older than tmp_max_age.
///
/// Safe against concurrent writers: prune holds locks/gc EXCLUSIVE for the whole run, and
/// everything that publishes blobs or snapshots before index.json references them holds it
/// SHARED (ImageStore::LockBlobsShared), so an in-flight build or import is never collected;
/// prune waits for it. Fails without deleting anything when a referenced manifest, index or
/// config cannot be read (kCorrupt/kNotFound; run `builder debug fsck`).
[[nodiscard]] Result<PruneStats> Prune(const ImageStore& store, const PruneOptions& options = {});

}  // namespace builder::oci
