// Mark from index.json, sweep blobs/, snapshots/ and tmp/.
#include "oci/gc.h"

#include <dirent.h>
#include <sys/stat.h>

#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/path.h"
#include "base/staging_lease.h"
#include "oci/remove_tree.h"
#include "oci/diff_store.h"
#include "oci/snapshot_store.h"

namespace builder::oci {

namespace {

constexpr int kMaxNesting = 8;

struct Marks {
  std::set<Digest> blobs;
  std::set<std::string> snapshots;
  std::set<std::string> diffs;
};

/// Marks the snapshots named by the chain of a config's layers, and their diff dirs.
Result<void> MarkSnapshots(const ImageStore& store, const Descriptor& config_descriptor,
                           Marks& marks) {
  std::string config_bytes = BUILDER_TRY(store.blobs().Read(config_descriptor.digest));
  ImageConfig config = BUILDER_TRY(ImageConfig::Parse(config_bytes));
  std::vector<Digest> chain = ChainIds(config.rootfs.diff_ids);
  if (chain.empty()) marks.snapshots.insert(std::string(kEmptySnapshot));
  for (const Digest& id : chain) marks.snapshots.insert(std::string(id.hex()));
  for (const Digest& id : config.rootfs.diff_ids) marks.diffs.insert(std::string(id.hex()));
  return {};
}

/// Marks the blob graph under one index.json entry. Iterative with a depth cap: nested indexes
/// come from imported content and may be hostile.
Result<void> MarkEntry(const ImageStore& store, const Descriptor& entry, Marks& marks) {
  struct Item {
    Descriptor descriptor;
    int depth;
  };
  std::vector<Item> work{{entry, 0}};
  while (!work.empty()) {
    Item item = std::move(work.back());
    work.pop_back();
    const Descriptor& d = item.descriptor;
    if (!marks.blobs.insert(d.digest).second) continue;
    if (IsIndex(d.media_type)) {
      if (item.depth >= kMaxNesting) {
        return Fail(ErrorCode::kUnsupported, "image index " + d.digest.str() + " nests too deeply");
      }
      std::string bytes = BUILDER_TRY(store.blobs().Read(d));
      ImageIndex index = BUILDER_TRY(ImageIndex::Parse(bytes));
      for (const Descriptor& child : index.manifests) work.push_back({child, item.depth + 1});
      if (index.subject) work.push_back({*index.subject, item.depth + 1});
    } else if (IsManifest(d.media_type)) {
      std::string bytes = BUILDER_TRY(store.blobs().Read(d));
      Manifest manifest = BUILDER_TRY(Manifest::Parse(bytes));
      marks.blobs.insert(manifest.config.digest);
      for (const Descriptor& layer : manifest.layers) marks.blobs.insert(layer.digest);
      if (manifest.subject) work.push_back({*manifest.subject, item.depth + 1});
      if (!IsConfig(manifest.config.media_type)) continue;  // an artifact: no snapshots
      BUILDER_TRY(MarkSnapshots(store, manifest.config, marks));
    } else if (IsConfig(d.media_type)) {  // an extra root: a cached step's resulting config
      BUILDER_TRY(MarkSnapshots(store, d, marks));
    }
  }
  return {};
}

/// Removes the tmp/ entries of dead writers: those whose name carries a lease (StagingTemplate)
/// that no live process holds, at once, with the dead leases themselves; a live lease's entries
/// stay however old. Entries without a lease (older builders, a lease being created) go once
/// their mtime is older than the cutoff.
Result<void> SweepTmp(const std::string& tmp, std::time_t cutoff, PruneStats& stats) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(tmp.c_str()), &::closedir);
  if (!d) return FailErrno("open directory " + tmp, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d.get())) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  std::map<std::string, bool> live;  // lease id -> held by a live process
  auto is_live = [&](const std::string& id) -> Result<bool> {
    auto it = live.find(id);
    if (it == live.end()) it = live.emplace(id, BUILDER_TRY(LeaseIsLive(tmp, id))).first;
    return it->second;
  };
  std::vector<std::string> stale, dead_leases;
  for (const std::string& name : names) {
    std::string path = tmp + "/" + name;
    if (std::string id = LeaseFileId(name); !id.empty()) {
      if (!BUILDER_TRY(is_live(id))) dead_leases.push_back(path);
      continue;
    }
    if (std::string id = StagingLeaseId(name); !id.empty()) {
      if (!BUILDER_TRY(is_live(id))) stale.push_back(path);
      continue;
    }
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && st.st_mtime < cutoff) stale.push_back(path);
  }
  for (const std::string& path : stale) {
    stats.bytes_reclaimed += BUILDER_TRY(RemoveTree(path));
    ++stats.tmp_deleted;
  }
  // Leases last: an entry is never left behind without the lease that says it is dead.
  for (const std::string& path : dead_leases) BUILDER_TRY(RemoveTree(path));
  return {};
}

}  // namespace

Result<PruneStats> Prune(const ImageStore& store, const PruneOptions& options) {
  FileLock gc = BUILDER_TRY(FileLock::Acquire(store.LockPath("gc"), FileLock::Mode::kExclusive));
  Marks marks;
  ImageIndex index = BUILDER_TRY(store.ReadIndex());
  for (const Descriptor& entry : index.manifests) {
    auto marked = MarkEntry(store, entry, marks);
    if (!marked) {
      return Fail(std::move(marked.error())
                      .Context("prune: image " + entry.digest.str() +
                               " is unreadable, nothing deleted (run builder debug fsck)"));
    }
  }

  if (options.extra_roots) {
    for (const Descriptor& root : BUILDER_TRY(options.extra_roots())) {
      if (!store.blobs().Has(root.digest)) continue;
      // A damaged root keeps what was marked before the failure: keeping more is safe.
      if (auto marked = MarkEntry(store, root, marks); !marked) {
        LogWarn("prune: extra root " + root.digest.str() + " only partly kept: " +
                marked.error().ToString());
      }
    }
  }

  PruneStats stats;
  std::vector<Digest> doomed;
  std::uint64_t doomed_bytes = 0;
  for (const Digest& d : BUILDER_TRY(store.blobs().List())) {
    if (marks.blobs.contains(d)) continue;
    doomed.push_back(d);
    if (auto size = store.blobs().SizeOf(d)) doomed_bytes += static_cast<std::uint64_t>(*size);
  }
  if (options.progress != nullptr) options.progress->Start("prune blobs", doomed_bytes);
  for (const Digest& d : doomed) {
    std::uint64_t size = 0;
    if (auto s = store.blobs().SizeOf(d)) size = static_cast<std::uint64_t>(*s);
    BUILDER_TRY(store.blobs().Remove(d));
    ++stats.blobs_deleted;
    stats.bytes_reclaimed += size;
    if (options.progress != nullptr) options.progress->Advance(size);
  }
  if (options.progress != nullptr) options.progress->Finish();

  SnapshotStore snapshots(store);
  for (const std::string& name : BUILDER_TRY(snapshots.List())) {
    if (marks.snapshots.contains(name)) continue;
    if (options.progress != nullptr) options.progress->Start("prune snapshot " + name.substr(0, 12), 0);
    stats.bytes_reclaimed += BUILDER_TRY(snapshots.Remove(name));
    ++stats.snapshots_deleted;
    if (options.progress != nullptr) options.progress->Finish();
  }
  DiffStore diffs(store);
  for (const std::string& name : BUILDER_TRY(diffs.List())) {
    if (marks.diffs.contains(name)) continue;
    stats.bytes_reclaimed += BUILDER_TRY(diffs.Remove(name));
    ++stats.diffs_deleted;
  }
  const std::time_t cutoff = std::time(nullptr) - options.tmp_max_age.count();
  BUILDER_TRY(SweepTmp(store.blobs().TmpDir(), cutoff, stats));
  return stats;
}

}  // namespace builder::oci
