// Running the steps of one planned stage over its base, with the build cache.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/error.h"
#include "cache/cache_index.h"
#include "cache/cache_key.h"
#include "cache/file_hash_cache.h"
#include "executor/build_cancel.h"
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
  /// Held by MaterializeStage: stages that read a finished stage (COPY --from, RUN --mount
  /// from=, FROM) may do so from several threads at once. A stage built on another gets a
  /// fresh one.
  std::shared_ptr<std::mutex> guard = std::make_shared<std::mutex>();
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
  std::atomic<std::size_t> new_layers = 0;
  std::atomic<std::size_t> cached_steps = 0;
  /// Results by plan index; a slot is written by its own stage only and read by the stages
  /// that depend on it once it is done (the scheduler orders them).
  std::vector<StageImage> stages;
  BuildCancel* cancel = nullptr;  ///< when set, checked between steps and given to RUN
  /// Blocks until stage `index` (by plan index) is done: a step that reads another stage
  /// (COPY --from, RUN --mount from=) calls it first, so what comes before it in its stage
  /// runs meanwhile. Unset: every stage read is done already (sequential callers).
  std::function<Result<void>(int index)> wait_stage;
};

/// Makes `image.lowers` show every layer (unpacking a snapshot of the layers when cache hits
/// left it stale) and returns a single directory with the whole filesystem when `flat`.
[[nodiscard]] Result<std::string> MaterializeStage(BuildState& state, StageImage& image, bool flat);

/// The "#N" vertices a stage uses: its FROM and one per step that runs something.
int StageVertexCount(const planner::Plan& plan);

/// Runs plan's steps over `image` (the base, updated in place), numbering its vertices from
/// first_id on (StageVertexCount of them). `label` prefixes the progress names ("[builder 2/4]
/// RUN make" in multi-stage builds, "[2/4] RUN make" otherwise). Each step holds the store's
/// lock for its cache key (`locks/step-<key>`) from the lookup until it is recorded, so two
/// builds of one store never run the same step at once: the second waits and hits the cache.
/// A failing step fails with the step named; once state.cancel is set the stage stops before
/// its next step (kCancelled) and a running RUN is killed, reported as CANCELED.
/// Safe to call for several stages at once from different threads.
[[nodiscard]] Result<void> RunStage(BuildState& state, const planner::Plan& plan,
                                    const std::string& label, StageImage& image, int first_id);

}  // namespace builder::executor
