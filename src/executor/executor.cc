// Executing a planned stage: each step's upper dir becomes a layer; the image is written and
// tagged in the store.
#include "executor/executor.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

#include <fcntl.h>

#include "base/staging_lease.h"
#include "base/path.h"
#include "cache/cache_index.h"
#include "cache/file_hash_cache.h"
#include "cache/inline_cache.h"
#include "cache/cache_transfer.h"
#include "oci/manifest.h"
#include "planner/cache_keys.h"
#include "executor/stage_runner.h"
#include "executor/stage_scheduler.h"
#include "executor/foreign_arch.h"
#include "oci/annotations.h"
#include "oci/remove_tree.h"
#include "oci/snapshot_store.h"

namespace builder::executor {
namespace {

// Removes the build's scratch directory however the build ends.
class ScratchDir {
 public:
  static Result<ScratchDir> Create(const std::string& tmp) {
    BUILDER_TRY(MakeDirs(tmp));
    std::string templ = BUILDER_TRY(StagingTemplate(tmp, "build"));
    if (!mkdtemp(templ.data())) return FailErrno("mkdtemp " + templ, errno);
    return ScratchDir(templ);
  }
  ScratchDir(ScratchDir&& o) noexcept : path_(std::exchange(o.path_, {})) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (!path_.empty()) (void)oci::RemoveTree(path_);
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

std::string Rfc3339(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}


// The image with its steps' cache entries in its config (--cache-to type=inline): the config
// JSON gains cache::kInlineCacheField, so it is written here instead of by WriteImage.
Result<oci::Descriptor> WriteInlineCacheImage(const oci::ImageStore& store,
                                              const cache::CacheIndex& index,
                                              const StageImage& image) {
  auto chain = BUILDER_TRY(cache::CollectChains(index, {image.key}));
  std::string config = BUILDER_TRY(cache::AddInlineCache(image.config.Serialize(), chain, image.layers));
  oci::Manifest manifest;
  manifest.config = BUILDER_TRY(store.blobs().Put(oci::kOciConfig, config));
  manifest.layers = image.layers;
  return store.blobs().Put(oci::kOciManifest, manifest.Serialize());
}

}  // namespace

Result<std::optional<oci::StoredImage>> ResolveBaseImage(const oci::ImageStore& store,
                                                         const std::string& name) {
  if (name == "scratch") return std::optional<oci::StoredImage>();
  auto image = store.Resolve(name);
  if (!image) {
    if (image.error().code() == ErrorCode::kNotFound)
      return Fail(ErrorCode::kNotFound,
                  "base image " + name + " is not in the store (" + store.root() +
                      "): get it first with `builder pull " + name + "`, `builder load -i " +
                      "IMAGE.tar` or `builder import ROOTFS.tar " + name + "`");
    return Fail(std::move(image.error()).Context("resolve base image " + name));
  }
  return std::optional<oci::StoredImage>(std::move(*image));
}

Result<BuildOutcome> Execute(const oci::ImageStore& store, const planner::BuildPlan& plan,
                             const ExecuteOptions& options) {
  if (plan.stages.empty()) return Fail(ErrorCode::kInvalidArgument, "nothing to build");
  BuildReporter& report = *options.reporter;
  FileLock gc_lock = BUILDER_TRY(store.LockBlobsShared());
  ScratchDir scratch = BUILDER_TRY(ScratchDir::Create(store.blobs().TmpDir()));
  std::int64_t now = options.source_date_epoch.value_or(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());

  cache::CacheIndex index = BUILDER_TRY(cache::CacheIndex::Open(store));
  char* abs_context = realpath(options.context.dir.c_str(), nullptr);
  std::string context_abs = abs_context ? abs_context : options.context.dir;
  std::free(abs_context);
  cache::FileHashCache hashes = BUILDER_TRY(cache::FileHashCache::Open(store, context_abs));
  UniqueFd ctx_fd(open(options.context.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!ctx_fd) return FailErrno("open build context " + options.context.dir, errno);

  // A stage for a foreign architecture whose RUNs the kernel cannot start fails before any
  // pull or step, naming what to install.
  BUILDER_TRY(CheckPlanRuns(plan));
  // Pulls happen before the build's vertices so their numbers come first.
  if (options.images) BUILDER_TRY(options.images->Prefetch(plan));
  BuildState state;
  state.store = &store;
  state.images = options.images;
  if (options.images) state.next_id = options.images->next_id();
  state.index = &index;
  state.hashes = &hashes;
  state.context = &options.context;
  state.context_fd = ctx_fd.get();
  state.scratch = scratch.path();
  state.created = Rfc3339(now);
  state.report = &report;
  state.compression = options.compression;
  state.source_date_epoch = options.source_date_epoch;
  state.network = options.network;
  state.default_network = options.default_network;
  state.secrets = options.secrets;
  state.no_cache = options.no_cache;
  state.explain = options.explain;

  // Vertex numbers are handed out up front, in plan order: the same as a sequential build's,
  // whatever order the stages finish in.
  const std::size_t n = plan.stages.size();
  std::vector<int> first_ids(n);
  for (std::size_t i = 0; i < n; ++i) {
    first_ids[i] = state.next_id;
    state.next_id += StageVertexCount(plan.stages[i]);
  }
  BuildCancel cancel;
  state.cancel = &cancel;
  state.stages.resize(n);
  BUILDER_TRY(MakeDirs(store.LockPath("steps")));
  const std::string empty_root = scratch.path() + "/scratch";
  BUILDER_TRY(MakeDirs(empty_root));
  auto run_stage = [&](std::size_t i) -> Result<void> {
    const planner::Plan& stage = plan.stages[i];
    StageImage image;
    if (stage.base_stage >= 0) {
      const StageImage& parent = state.stages.at(static_cast<std::size_t>(stage.base_stage));
      {
        std::lock_guard lock(*parent.guard);  // a sibling may be materializing it
        image = parent;
      }
      image.guard = std::make_shared<std::mutex>();
    } else {
      auto base = options.images ? options.images->Resolve(stage.base, "base image", &stage.platform)
                                 : ResolveBaseImage(store, stage.base);
      if (!base) return Fail(std::move(base.error()));
      if (*base) {
        image.config = (*base)->config;
        image.layers = (*base)->manifest.layers;
        image.base_digest = (*base)->digest().str();
        auto dir = oci::SnapshotStore(store).Prepare(**base);
        if (!dir) return Fail(std::move(dir.error()).Context("unpack base image " + stage.base));
        image.lowers = {*dir};
      } else {
        image.config.set_platform(stage.platform.os.empty() ? oci::Platform::Host() : stage.platform);
        image.base_digest = "scratch";
        image.lowers = {empty_root};
      }
      oci::Platform platform = image.config.platform();
      // The layer compression and SOURCE_DATE_EPOCH are part of the key: a hit must give the
      // blobs asked for (clamped mtimes, history stamped with the epoch).
      std::string variant = platform.os + "/" + platform.architecture + " " +
                            std::string(oci::CompressionName(options.compression));
      if (options.source_date_epoch) variant += " epoch " + std::to_string(*options.source_date_epoch);
      image.key = planner::BaseKey(image.base_digest, variant);
    }
    std::string label = n > 1 ? stage.stage_name : "";
    if (!options.step_label.empty()) label = options.step_label + (label.empty() ? "" : " " + label);
    BUILDER_TRY(RunStage(state, stage, label, image, first_ids[i]));
    state.stages[i] = std::move(image);
    return {};
  };
  // A stage starts once its FROM stage is done; stages its steps read (COPY --from, RUN
  // --mount from=) are waited for by those steps (BuildState::wait_stage).
  std::vector<std::vector<std::size_t>> start_deps(n);
  for (std::size_t i = 0; i < n; ++i)
    if (plan.stages[i].base_stage >= 0) start_deps[i] = {static_cast<std::size_t>(plan.stages[i].base_stage)};
  std::size_t jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  StageScheduler scheduler(std::move(start_deps), jobs, &cancel);
  state.wait_stage = [&scheduler](int stage) { return scheduler.WaitFor(static_cast<std::size_t>(stage)); };
  BUILDER_TRY(scheduler.Run(run_stage));
  if (auto saved = hashes.Save(); !saved)
    report.Note("warning: file hash cache not saved: " + saved.error().ToString());

  StageImage& final_image = state.stages.back();
  final_image.config.created = final_image.created.empty() ? state.created : final_image.created;
  BuildOutcome outcome;
  outcome.new_layers = state.new_layers;
  outcome.cached_steps = state.cached_steps;
  for (const StageImage& stage : state.stages) outcome.stage_keys.push_back(stage.key);
  int id = state.next_id++;
  report.Started(id, "exporting to image");
  auto manifest = options.inline_cache ? WriteInlineCacheImage(store, index, final_image)
                                       : store.WriteImage(final_image.config, final_image.layers);
  if (!manifest) return Fail(std::move(manifest.error()).Context("write image"));
  outcome.manifest = *manifest;
  // The config the manifest names: with an inline cache it is not final_image.config's bytes.
  std::string manifest_bytes = BUILDER_TRY(store.blobs().Read(*manifest));
  outcome.image_id = BUILDER_TRY(oci::Manifest::Parse(manifest_bytes)).config.digest;
  report.Output(id, "writing image " + outcome.image_id.str());
  for (const auto& tag : options.tags) {
    BUILDER_TRY(store.Tag(*manifest, tag));
    report.Output(id, "naming to " + tag.String());
  }
  if (options.tags.empty()) BUILDER_TRY(store.AddUntagged(*manifest));
  report.Done(id, 0.0);
  return outcome;
}

}  // namespace builder::executor
