// Executing a planned stage: each step's upper dir becomes a layer; the image is written and
// tagged in the store.
#include "executor/executor.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>

#include <fcntl.h>

#include "base/path.h"
#include "cache/cache_index.h"
#include "cache/file_hash_cache.h"
#include "planner/cache_keys.h"
#include "executor/run_step.h"
#include "executor/user_db.h"
#include "oci/layer_stream.h"
#include "oci/layer_writer.h"
#include "oci/remove_tree.h"
#include "oci/snapshot_store.h"

namespace builder::executor {
namespace {

// Removes the build's scratch directory however the build ends.
class ScratchDir {
 public:
  static Result<ScratchDir> Create(const std::string& tmp) {
    BUILDER_TRY(MakeDirs(tmp));
    std::string templ = tmp + "/build-XXXXXX";
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

bool IsEmptyDir(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (!d) return true;
  bool empty = true;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") {
      empty = false;
      break;
    }
  }
  closedir(d);
  return empty;
}

std::string Rfc3339(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<oci::Descriptor> CommitLayer(const oci::ImageStore& store, const std::string& upper,
                                    const ExecuteOptions& options, oci::Digest* diff_id) {
  StagedFile staged = BUILDER_TRY(store.blobs().Stage());
  auto writer = BUILDER_TRY(oci::LayerBlobWriter::Create(staged.fd(), {.compression = options.compression}));
  oci::LayerWriteOptions wopts;
  wopts.overlay_upper = true;
  wopts.source_date_epoch = options.source_date_epoch;
  BUILDER_TRY(oci::WriteLayer(upper, wopts, *writer));
  oci::LayerDigests digests = BUILDER_TRY(writer->Finish());
  BUILDER_TRY(store.blobs().Commit(std::move(staged), digests.digest));
  *diff_id = digests.diff_id;
  oci::Descriptor d;
  d.media_type = std::string(oci::LayerMediaType(oci::ImageFormat::kOci, options.compression));
  d.digest = digests.digest;
  d.size = static_cast<std::int64_t>(digests.size);
  return d;
}

Result<void> KeepUntagged(const oci::ImageStore& store, const oci::Descriptor& manifest) {
  return store.UpdateIndex([&](oci::ImageIndex& index) -> Result<void> {
    for (const auto& m : index.manifests)
      if (m.digest == manifest.digest) return {};
    oci::Descriptor entry = manifest;
    entry.annotations.erase(std::string(oci::kRefNameAnnotation));
    index.manifests.push_back(entry);
    return {};
  });
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

Result<BuildOutcome> Execute(const oci::ImageStore& store, const planner::Plan& plan,
                             const std::optional<oci::StoredImage>& base,
                             const ExecuteOptions& options) {
  BuildReporter& report = *options.reporter;
  FileLock gc_lock = BUILDER_TRY(store.LockBlobsShared());
  ScratchDir scratch = BUILDER_TRY(ScratchDir::Create(store.blobs().TmpDir()));
  std::int64_t now = options.source_date_epoch.value_or(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::string created = Rfc3339(now);

  std::size_t total = 1;
  for (const auto& s : plan.steps) total += planner::IsExecStep(s) ? 1 : 0;
  int id = 1;
  std::string base_name = "[1/" + std::to_string(total) + "] FROM " + plan.base;
  report.Started(id, base_name);
  auto t0 = std::chrono::steady_clock::now();
  std::string base_dir;
  if (base) {
    oci::SnapshotStore snapshots(store);
    auto dir = snapshots.Prepare(*base);
    if (!dir) {
      report.Errored(id, dir.error().ToString());
      return Fail(std::move(dir.error()).Context("unpack base image " + plan.base));
    }
    base_dir = *dir;
  } else {
    base_dir = scratch.path() + "/scratch";
    BUILDER_TRY(MakeDirs(base_dir));
  }
  report.Done(id, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  oci::ImageConfig config;
  std::vector<oci::Descriptor> layers;
  if (base) {
    config = base->config;
    layers = base->manifest.layers;
  } else {
    config.set_platform(oci::Platform::Host());
  }
  std::vector<std::string> lowers = {base_dir};  // topmost first
  bool lowers_stale = false;  // cache hits added layers that `lowers` does not show yet
  BuildOutcome outcome;

  cache::CacheIndex index = BUILDER_TRY(cache::CacheIndex::Open(store));
  char* abs_context = realpath(options.context.dir.c_str(), nullptr);
  std::string context_abs = abs_context ? abs_context : options.context.dir;
  std::free(abs_context);
  cache::FileHashCache hashes = BUILDER_TRY(cache::FileHashCache::Open(store, context_abs));
  UniqueFd ctx_fd(open(options.context.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!ctx_fd) return FailErrno("open build context " + options.context.dir, errno);
  const parser::PatternMatcher* ignore = options.context.ignore ? &*options.context.ignore : nullptr;
  oci::Platform platform = config.platform();
  // The layer compression is part of the key: a hit must give the blobs that were asked for.
  cache::CacheKey parent = planner::BaseKey(
      base ? base->digest().str() : "scratch",
      platform.os + "/" + platform.architecture + " " +
          std::string(oci::CompressionName(options.compression)));

  std::size_t exec_index = 1;
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const planner::Step& step = plan.steps[i];
    oci::HistoryEntry history;
    history.created = created;
    history.created_by = step.created_by;
    history.comment = "buildkit.dockerfile.v0";
    if (!planner::IsExecStep(step)) {
      history.empty_layer = true;
      config.history.push_back(history);
      continue;
    }
    ++id;
    ++exec_index;
    std::string name = "[" + std::to_string(exec_index) + "/" + std::to_string(total) + "] " + step.name;
    std::string where = step.range.start.line > 0
                            ? " (Dockerfile line " + std::to_string(step.range.start.line) + ")"
                            : "";
    report.Started(id, name);
    auto fail_step = [&](Error e) -> std::unexpected<Error> {
      report.Errored(id, e.ToString());
      return Fail(std::move(e).Context("step " + name + where));
    };
    auto start = std::chrono::steady_clock::now();
    auto inputs = planner::HashStepInputs(step, ctx_fd.get(), ignore, hashes);
    if (!inputs) return fail_step(std::move(inputs.error()));
    cache::CacheKey key = planner::StepKey(parent, step, *inputs);
    if (!options.no_cache) {
      auto hit = index.Lookup(key);
      if (hit && *hit) {
        const cache::CacheEntry& entry = **hit;
        if (entry.layer) {
          layers.push_back(*entry.layer);
          config.rootfs.diff_ids.push_back(entry.diff_id);
          lowers_stale = true;
        }
        config.history.push_back(entry.history);
        parent = key;
        ++outcome.cached_steps;
        report.Cached(id);
        continue;
      }
    }
    if (options.explain) {
      std::string why = options.no_cache ? std::string("--no-cache")
                                         : index.Explain(parent, step.canonical, *inputs);
      report.Output(id, "cache miss: " + why);
    }
    if (lowers_stale) {
      // Cached layers have no upper dir here: run over a snapshot of the image so far.
      oci::StoredImage so_far;
      so_far.manifest.layers = layers;
      so_far.config = config;
      so_far.manifest.config.digest = oci::Digest::Of(config.Serialize());
      auto dir = oci::SnapshotStore(store).Prepare(so_far);
      if (!dir) return fail_step(std::move(dir.error()).Context("unpack cached layers"));
      lowers = {*dir};
      lowers_stale = false;
    }
    std::string upper = scratch.path() + "/" + std::to_string(i) + "-upper";
    std::string work = scratch.path() + "/" + std::to_string(i) + "-work";
    BUILDER_TRY(MakeDirs(upper));
    BUILDER_TRY(MakeDirs(work));
    MergedView view(lowers);
    Result<void> ran = std::visit(
        [&](const auto& action) -> Result<void> {
          using T = std::decay_t<decltype(action)>;
          if constexpr (std::is_same_v<T, planner::RunStep>) {
            RunStepOptions ro;
            ro.upper_dir = upper;
            ro.work_dir = work;
            ro.scratch_dir = work + "-files";
            BUILDER_TRY(MakeDirs(ro.scratch_dir));
            ro.network_override = options.network == "default" ? "" : options.network;
            ro.on_line = [&](std::string_view line) { report.Output(id, line); };
            return RunInSandbox(action, view, ro);
          } else if constexpr (std::is_same_v<T, planner::CopyStep>) {
            return CopyIntoUpper(options.context, action, view, upper);
          } else if constexpr (std::is_same_v<T, planner::MkdirStep>) {
            ResolvedUser owner;
            if (!action.user.empty()) owner = BUILDER_TRY(ResolveRunUser(view, action.user));
            // An existing directory is left alone: no copy-up, so no layer.
            std::string resolved = BUILDER_TRY(view.Resolve(action.path, true));
            auto have = view.Lookup(resolved);
            if (!have || !S_ISDIR(have->st.st_mode))
              BUILDER_TRY(EnsureDirInUpper(view, upper, action.path, owner.uid, owner.gid));
            return {};
          } else {
            return {};
          }
        },
        step.action);
    if (!ran) return fail_step(std::move(ran.error()));
    cache::CacheEntry entry;
    if (IsEmptyDir(upper)) {
      history.empty_layer = true;
    } else {
      oci::Digest diff_id;
      auto layer = CommitLayer(store, upper, options, &diff_id);
      if (!layer) return fail_step(std::move(layer.error()).Context("write layer"));
      layers.push_back(*layer);
      config.rootfs.diff_ids.push_back(diff_id);
      lowers.insert(lowers.begin(), upper);
      entry.layer = *layer;
      entry.diff_id = diff_id;
      ++outcome.new_layers;
    }
    config.history.push_back(history);
    // Record the result; a cache that cannot be written only costs the next build time.
    auto config_blob = store.blobs().Put(oci::kOciConfig, config.Serialize());
    if (config_blob) {
      entry.config = config_blob->digest;
      entry.history = history;
      entry.description = step.name;
      entry.parent = parent;
      entry.step_identity = step.canonical;
      entry.inputs = *inputs;
      auto recorded = index.Record(key, entry);
      if (!recorded) report.Output(id, "warning: cache not updated: " + recorded.error().ToString());
    }
    parent = key;
    report.Done(id, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (auto saved = hashes.Save(); !saved) report.Note("warning: file hash cache not saved: " + saved.error().ToString());

  config.config = plan.final_config;
  config.author = plan.final_author;
  config.created = created;
  ++id;
  report.Started(id, "exporting to image");
  auto manifest = store.WriteImage(config, layers);
  if (!manifest) return Fail(std::move(manifest.error()).Context("write image"));
  outcome.manifest = *manifest;
  outcome.image_id = oci::Digest::Of(config.Serialize());
  report.Output(id, "writing image " + outcome.image_id.str());
  for (const auto& tag : options.tags) {
    BUILDER_TRY(store.Tag(*manifest, tag));
    report.Output(id, "naming to " + tag.String());
  }
  if (options.tags.empty()) BUILDER_TRY(KeepUntagged(store, *manifest));
  report.Done(id, 0.0);
  return outcome;
}

}  // namespace builder::executor
