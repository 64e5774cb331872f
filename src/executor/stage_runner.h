// Running the steps of one planned stage over its base, with the build cache.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "cache/cache_index.h"
#include "cache/cache_key.h"
#include "cache/file_hash_cache.h"
#include "executor/build_reporter.h"
#include "executor/build_secrets.h"
#include "executor/context_copy.h"
#include "executor/image_source.h"
#include "oci/image_store.h"
#include "planner/step.h"
#include "sandbox/network_attacher.h"

namespace builder::executor {

/// A stage's image as the build knows it: config (rootfs and history included), layer
/// descriptors, the directories that show its filesystem, and its last cache key.
struct StageImage {
  oci::ImageConfig config;
  std::vector<oci::Descriptor> layers;
  std::vector<std::string> lowers;  ///< topmost first; stale when `stale` is set
  bool stale = false;               ///< cache hits added layers not in `lowers` yet
  cache::CacheKey key;
  std::string base_digest;  ///< manifest digest of the FROM image ("scratch", or a stage's key)
  /// The newest history time of the steps that ran or hit the cache (RFC 3339, "" before the
  /// first): metadata steps and the image's `created` take it, so a fully cached rebuild
  /// gives the same image id, as BuildKit's does.
  std::string created;
};

/// What every stage of one build shares.
struct BuildState {
  const oci::ImageStore* store = nullptr;
  cache::CacheIndex* index = nullptr;
  cache::FileHashCache* hashes = nullptr;
  const BuildContext* context = nullptr;
  int context_fd = -1;
  std::string scratch;  ///< per-build scratch dir in the store's tmp/
  std::string created;  ///< RFC 3339 time for history entries
  BuildReporter* report = nullptr;
  ImageSource* images = nullptr;  ///< when set, the images COPY --from and mounts read
  int next_id = 1;  ///< next "#N" vertex number
  oci::Compression compression = oci::Compression::kGzip;
  std::optional<std::int64_t> source_date_epoch;
  std::string network;
  sandbox::NetworkAttacher default_network;
  const BuildSecrets* secrets = nullptr;  ///< --secret/--ssh; null: none
  bool no_cache = false;
  bool explain = false;
  std::size_t new_layers = 0;
  std::size_t cached_steps = 0;
  std::vector<StageImage> stages;  ///< results so far, by plan index
};

/// Makes `image.lowers` show every layer (unpacking a snapshot of the layers when cache hits
/// left it stale) and returns a single directory with the whole filesystem when `flat`.
[[nodiscard]] Result<std::string> MaterializeStage(BuildState& state, StageImage& image, bool flat);

/// Runs plan's steps over `image` (the base, updated in place). `label` prefixes the progress
/// names ("[builder 2/4] RUN make" in multi-stage builds, "[2/4] RUN make" otherwise). A failing
/// step fails with the step named.
[[nodiscard]] Result<void> RunStage(BuildState& state, const planner::Plan& plan,
                                    const std::string& label, StageImage& image);

}  // namespace builder::executor
