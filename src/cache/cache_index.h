// CacheIndex: the build cache in the store, cache key -> the layer and image config a step
// produced, plus the records that explain a miss.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "cache/cache_key.h"
#include "cache/file_hash_cache.h"
#include "oci/descriptor.h"
#include "oci/digest.h"
#include "oci/image_config.h"
#include "oci/image_store.h"

namespace builder::cache {

/// What a step read, by name, for explaining a later miss. Names are human phrases the
/// explanation prints as-is: "build arg VERSION", "base image", "COPY src/", "RUN --mount
/// from=deps". `hashes` holds one hash (or short value digest) per input; `trees` optionally
/// the per-path summary of a context input, under the same name, so a miss can name the
/// changed files (trees of more than 50000 paths are not kept; their input is then named as a
/// whole).
struct StepInputs {
  std::map<std::string, std::string> hashes;
  std::map<std::string, TreeSummary> trees;

  bool operator==(const StepInputs&) const = default;
};

/// One cached step result.
struct CacheEntry {
  /// The layer blob the step produced (already in the BlobStore); none for metadata-only
  /// steps (ENV, LABEL, ...).
  std::optional<oci::Descriptor> layer;
  /// The uncompressed digest of `layer`; empty when there is no layer.
  oci::Digest diff_id;
  /// The resulting image config (ImageConfig JSON, stored in the BlobStore with media type
  /// application/vnd.oci.image.config.v1+json): a hit restores config, rootfs and history
  /// exactly.
  oci::Digest config;
  /// The history entry the step appended (also inside `config`; kept for display).
  oci::HistoryEntry history;
  /// RFC 3339 UTC time of recording; Record fills it in when empty.
  std::string created;
  /// The step as a human reads it: "RUN apt-get update", "COPY src/ /app".
  std::string description;
  /// The key of the step this one ran on top of (empty for a stage's first step).
  CacheKey parent;
  /// The step without its inputs (instruction text, platform, ...): with `parent` it names
  /// "the same step" across builds, so a miss can be compared with the last hit.
  std::string step_identity;
  /// The per-input hashes that went into the key.
  StepInputs inputs;

  /// Compact JSON (see cache_index.cc for the schema, version 1).
  std::string Serialize() const;
  /// Errors: kParse (not JSON), kCorrupt (wrong shape, bad digest).
  [[nodiscard]] static Result<CacheEntry> Parse(std::string_view json);

  bool operator==(const CacheEntry&) const = default;
};

/// The cache index at `<store root>/cache/`:
///   entries/<key hex>.json   one CacheEntry per key
///   steps/<hex>.json         per (parent, step identity): the last key recorded and its
///                            inputs (with tree summaries), for Explain
///   identities/<hex>.json    per step identity: the last parent it was recorded under
///   filehash/                FileHashCache files (see file_hash_cache.h)
/// Every file is written with StagedFile (temp in the store's tmp/, fsync, rename), so readers
/// see a whole file or none and concurrent builds need no global lock (the last writer of a
/// record wins, which is what a cache wants). Reads are verified: an entry that does not parse
/// or whose key does not match is reported (LogWarn) and treated as a miss.
///
/// Entries reference blobs; ReferencedBlobs() feeds oci::Prune's extra roots so cached layers
/// and configs survive `builder prune` while the cache holds them.
class CacheIndex {
 public:
  /// Creates the directories when missing. The index keeps a pointer to `store`, which must
  /// outlive it; copies are cheap and may be used from several threads. Errors: kIo.
  [[nodiscard]] static Result<CacheIndex> Open(const oci::ImageStore& store);

  /// `<root>/cache`.
  const std::string& dir() const { return dir_; }

  /// The entry for key, or nullopt on a miss. A corrupt entry file, or one whose layer or
  /// config blob is gone from the store, is a miss (a warning is logged). Errors: kIo for an
  /// entry that exists but cannot be read.
  [[nodiscard]] Result<std::optional<CacheEntry>> Lookup(const CacheKey& key) const;

  /// The resulting image config of a hit, read (verified) from the BlobStore and parsed.
  /// Errors: kNotFound when the blob is gone, kCorrupt/kParse when it is damaged.
  [[nodiscard]] Result<oci::ImageConfig> LoadConfig(const CacheEntry& entry) const;

  /// Stores entry under key (replacing an existing one) and updates the explanation records.
  /// The caller must have stored the layer and config blobs first and should hold
  /// ImageStore::LockBlobsShared() from before publishing them until Record returns.
  [[nodiscard]] Result<void> Record(const CacheKey& key, const CacheEntry& entry) const;

  /// Why the step (parent, step_identity) with these inputs is not cached, compared with the
  /// last recording of the same step: "COPY src/: src/main.c changed", "build arg VERSION
  /// changed", "base image or an earlier step changed", "no cache entry". Up to three inputs
  /// are named, then "and N more". The parent-changed answer comes from the last recording of
  /// the identity alone, whatever the project: make identities specific enough (stage, platform)
  /// for it to be meaningful. Never fails: an unreadable record is logged and explains as "no
  /// cache entry".
  std::string Explain(const CacheKey& parent, std::string_view step_identity,
                      const StepInputs& inputs) const;

  /// Every blob any entry references (layers and configs, with their media types), for
  /// oci::PruneOptions::extra_roots. Corrupt entries are skipped with a warning.
  [[nodiscard]] Result<std::vector<oci::Descriptor>> ReferencedBlobs() const;

  /// Drops every entry and record (not the file-hash caches) and the builds' step lock files
  /// (`locks/steps/`); `builder prune --cache` runs this
  /// and then oci::Prune. Holds the store's gc lock exclusively meanwhile, so a build holding
  /// LockBlobsShared() is never left with a hit whose blobs vanish (do not call it while
  /// holding that lock). Returns the number of entries removed.
  [[nodiscard]] Result<std::uint64_t> Clear() const;

 private:
  CacheIndex(const oci::ImageStore& store, std::string dir) : store_(&store), dir_(std::move(dir)) {}
  std::string EntryPath(const CacheKey& key) const;
  [[nodiscard]] Result<void> WriteRecord(const std::string& path, std::string_view json) const;

  const oci::ImageStore* store_;
  std::string dir_;
};

/// The cache key of a step: H(parent, step identity, every input hash), in the CacheKeyBuilder
/// encoding (domain "step/v1"; fields parent, identity, inputs as a sorted map). Using it keeps
/// the key and the inputs recorded for explanations in agreement; callers with extra fields
/// may build their own key instead.
CacheKey StepKey(const CacheKey& parent, std::string_view step_identity, const StepInputs& inputs);

/// The (parent, step identity) record name, shared by Record and Explain.
CacheKey StepRecordKey(const CacheKey& parent, std::string_view step_identity);

}  // namespace builder::cache
