// Executing a planned stage: each step's upper dir becomes a layer; the image is written and
// tagged in the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "cache/cache_key.h"
#include "executor/build_reporter.h"
#include "executor/build_secrets.h"
#include "executor/context_copy.h"
#include "executor/image_source.h"
#include "oci/image_store.h"
#include "oci/media_types.h"
#include "oci/reference.h"
#include "planner/step.h"
#include "sandbox/network_attacher.h"

namespace builder::executor {

/// Finds a FROM image in the store; nullopt for "scratch". A missing image fails (kNotFound)
/// telling the user to `builder pull`, `builder load` or `builder import` it.
[[nodiscard]] Result<std::optional<oci::StoredImage>> ResolveBaseImage(const oci::ImageStore& store,
                                                                      const std::string& name);

struct ExecuteOptions {
  BuildContext context;
  oci::Compression compression = oci::Compression::kGzip;
  std::string network;  ///< --network: "" or "default" keeps each RUN's own, "none", "host"
  /// The default network of a RUN (no --network, or "default"): a namespace of its own with
  /// outbound access through this, as BuildKit. Unset: the host's network (as before).
  sandbox::NetworkAttacher default_network;
  /// --secret values and --ssh sockets for RUN --mount=type=secret|ssh; null: none given.
  const BuildSecrets* secrets = nullptr;
  std::vector<oci::Reference> tags;
  bool no_cache = false;  ///< run every step (results are still recorded in the cache)
  bool explain = false;   ///< report why each step missed the cache
  BuildReporter* reporter = nullptr;  ///< required
  /// Where FROM, COPY --from and RUN --mount from= images come from (pulls, --pull); null:
  /// the store only (ResolveBaseImage). Its pull vertices are numbered before the build's.
  ImageSource* images = nullptr;
  /// SOURCE_DATE_EPOCH: history/created times and clamped layer mtimes.
  std::optional<std::int64_t> source_date_epoch;
  /// --cache-to type=inline: the final image's config carries its steps' cache entries
  /// (cache/inline_cache.h).
  bool inline_cache = false;
  /// Prefixed to every step's name in the progress ("[linux/arm64 build 1/2] RUN ..."), as
  /// BuildKit names the steps of a multi-platform build; "" for none.
  std::string step_label;
  /// --jobs: stages run at most this many at a time (0: the number of cores).
  std::size_t jobs = 0;
};

struct BuildOutcome {
  oci::Descriptor manifest;
  oci::Digest image_id;  ///< the config digest
  std::size_t new_layers = 0;
  std::size_t cached_steps = 0;
  /// The last cache key of every stage, by plan index (the last one is the image's): the tips
  /// a cache export walks back from.
  std::vector<cache::CacheKey> stage_keys;
};

/// Runs the stages of plan as a DAG (a stage starts once the stages it reads are done,
/// options.jobs at a time; the first failure cancels the others, killing their running RUNs),
/// each step with a cache key, planner/cache_keys.h: a hit
/// reuses the recorded layer and history and prints CACHED, a miss runs and is recorded; steps
/// after hits run over a snapshot of the layers so far), then writes the last stage as the
/// image: layers, config and manifest, tagged with each of options.tags (an untagged image is
/// kept as a dangling index.json entry). Images are resolved through options.images (every one
/// up front, ImageSource::Prefetch), else with ResolveBaseImage. A
/// failing step fails the build with an error naming the step ("step [3/4] RUN false
/// (Dockerfile line 3): process ... exit code: 1") after the reporter got Errored(). Scratch
/// space lives in the store's tmp/ and is removed on return.
[[nodiscard]] Result<BuildOutcome> Execute(const oci::ImageStore& store,
                                           const planner::BuildPlan& plan,
                                           const ExecuteOptions& options);

}  // namespace builder::executor
