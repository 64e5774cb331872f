// Running the steps of one planned stage over its base, with the build cache.
#include "executor/stage_runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <thread>

#include "base/file_lock.h"
#include "base/path.h"
#include "base/progress.h"
#include "base/sha256.h"
#include "base/subprocess.h"
#include "executor/container_owner.h"
#include "executor/named_contexts.h"
#include "executor/run_step.h"
#include "executor/secret_mounts.h"
#include "executor/url_fetch.h"
#include "oci/user_db.h"
#include "oci/layer_stream.h"
#include "oci/layer_writer.h"
#include "oci/reference.h"
#include "oci/diff_store.h"
#include "oci/snapshot_store.h"
#include "planner/cache_keys.h"
#include "sandbox/id_map.h"

namespace builder::executor {
namespace {

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

// Bytes of regular files below dir: the size a layer progress bar counts towards. Iterative
// (upper dirs may be deep); unreadable parts are skipped, as this is only an estimate.
std::uint64_t TreeFileBytes(const std::string& dir) {
  std::uint64_t total = 0;
  std::vector<std::string> todo{dir};
  while (!todo.empty()) {
    std::string path = std::move(todo.back());
    todo.pop_back();
    int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    std::unique_ptr<DIR, int (*)(DIR*)> d(fdopendir(fd), &closedir);
    if (!d) {
      close(fd);
      continue;
    }
    while (dirent* e = readdir(d.get())) {
      std::string_view n = e->d_name;
      if (n == "." || n == "..") continue;
      struct stat st;
      if (fstatat(dirfd(d.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISDIR(st.st_mode)) todo.push_back(path + "/" + e->d_name);
      else if (S_ISREG(st.st_mode)) total += static_cast<std::uint64_t>(st.st_size);
    }
  }
  return total;
}

// Passes the layer tar on to the blob writer, telling the reporter how far it got.
class ReportingSink final : public oci::ByteSink {
 public:
  ReportingSink(oci::ByteSink& out, BuildReporter& report, int id, std::uint64_t total)
      : out_(out), report_(report), id_(id), total_(total) {}
  [[nodiscard]] Result<void> Write(std::span<const std::uint8_t> bytes) override {
    BUILDER_TRY(out_.Write(bytes));
    done_ += bytes.size();
    // Tar headers and padding make the stream a little longer than the files it carries.
    report_.Progress(id_, "exporting layer", std::min(done_, total_), total_);
    return {};
  }
  [[nodiscard]] Result<void> Close() override { return out_.Close(); }

 private:
  oci::ByteSink& out_;
  BuildReporter& report_;
  int id_;
  std::uint64_t total_, done_ = 0;
};

// An ADD <url> download as its step's byte progress.
class DownloadProgress final : public Progress {
 public:
  DownloadProgress(BuildReporter& report, int id) : report_(report), id_(id) {}
  void Start(std::string_view, std::uint64_t total) override {
    total_ = total;
    done_ = 0;
  }
  void Advance(std::uint64_t done) override {
    done_ += done;
    report_.Progress(id_, "downloading", done_, total_);
  }
  void Finish() override {}

 private:
  BuildReporter& report_;
  int id_;
  std::uint64_t total_ = 0, done_ = 0;
};

Result<oci::Descriptor> CommitLayer(const BuildState& state, int id, const std::string& upper,
                                    oci::Digest* diff_id) {
  const oci::BlobStore& blobs = state.store->blobs();
  StagedFile staged = BUILDER_TRY(blobs.Stage());
  auto writer = BUILDER_TRY(oci::LayerBlobWriter::Create(staged.fd(), {.compression = state.compression}));
  ReportingSink sink(*writer, *state.report, id, TreeFileBytes(upper));
  oci::LayerWriteOptions wopts;
  wopts.overlay_upper = true;
  wopts.source_date_epoch = state.source_date_epoch;
  if (geteuid() != 0) {
    // Rootless: the upper dir holds host ids; the image must record the container's.
    sandbox::IdMaps maps = BUILDER_TRY(sandbox::IdMapsForCurrentUser());
    for (const sandbox::IdMapping& m : maps.uids)
      wopts.uid_map.push_back({m.container_id, m.host_id, m.size});
    for (const sandbox::IdMapping& m : maps.gids)
      wopts.gid_map.push_back({m.container_id, m.host_id, m.size});
  }
  BUILDER_TRY(oci::WriteLayer(upper, wopts, sink));
  oci::LayerDigests digests = BUILDER_TRY(writer->Finish());
  BUILDER_TRY(blobs.Commit(std::move(staged), digests.digest));
  *diff_id = digests.diff_id;
  oci::Descriptor d;
  d.media_type = std::string(oci::LayerMediaType(oci::ImageFormat::kOci, state.compression));
  d.digest = digests.digest;
  d.size = static_cast<std::int64_t>(digests.size);
  return d;
}

// The filesystem a COPY --from reads, and what identifies its content for the cache.
// `platform` is the stage's: an image named by COPY --from is read for it, as BuildKit.
Result<std::pair<std::string, std::string>> CopySource(BuildState& state, const planner::CopyStep& copy,
                                                       const oci::Platform& platform) {
  if (copy.from_stage >= 0) {
    StageImage& from = state.stages.at(static_cast<std::size_t>(copy.from_stage));
    std::string dir = BUILDER_TRY(MaterializeStage(state, from, true));
    return std::make_pair(dir, "stage " + from.key.hex());
  }
  if (!copy.from_dir.empty()) return std::make_pair(copy.from_dir, "dir " + copy.from_dir_digest);
  if (state.images) {
    auto found = BUILDER_TRY(state.images->Resolve(copy.from_image, "COPY --from image", &platform));
    if (!found) return Fail(ErrorCode::kInvalidArgument, "COPY --from=scratch copies nothing");
    std::string dir = BUILDER_TRY(oci::SnapshotStore(*state.store).Prepare(*found));
    return std::make_pair(dir, "image " + found->digest().str());
  }
  auto image = state.store->Resolve(copy.from_image);
  if (!image)
    return Fail(ErrorCode::kNotFound, "COPY --from=" + copy.from_image + ": image not in the store "
                                      "(get it with `builder pull " + copy.from_image + "`)");
  std::string dir = BUILDER_TRY(oci::SnapshotStore(*state.store).Prepare(*image));
  return std::make_pair(dir, "image " + image->digest().str());
}

// The directory a bind mount shows: `source` below root, which it may not leave.
Result<std::string> ConfinedSource(const std::string& root, const std::string& source) {
  std::string rel = CleanPath("/" + source);
  char* real_root = realpath(root.c_str(), nullptr);
  char* real_src = realpath((root + rel).c_str(), nullptr);
  std::string r = real_root ? real_root : "", p = real_src ? real_src : "";
  std::free(real_root);
  std::free(real_src);
  if (p.empty()) return Fail(ErrorCode::kNotFound, "mount source \"" + rel + "\": not found");
  if (p != r && !p.starts_with(r + "/"))
    return Fail(ErrorCode::kPermission, "mount source \"" + rel + "\" leaves its root");
  return p;
}

// Host directories for a RUN's --mount list; their identities join the step's inputs. Images
// are read for the stage's platform.
Result<std::vector<sandbox::BindMount>> PrepareMounts(BuildState& state, const planner::RunStep& run,
                                                      const std::string& scratch,
                                                      cache::StepInputs* inputs, const oci::Platform& platform) {
  std::vector<sandbox::BindMount> binds;
  for (std::size_t i = 0; i < run.mounts.size(); ++i) {
    const planner::RunMount& m = run.mounts[i];
    if (m.type == "secret" || m.type == "ssh") continue;  // SecretMounts, right before the RUN
    std::string host;
    if (m.type == "tmpfs") {
      host = scratch + "-tmpfs-" + std::to_string(i);
      BUILDER_TRY(MakeDirs(host, 01777));
      binds.push_back({host, m.target, false});
      continue;
    }
    if (m.type == "cache") {
      host = state.store->root() + "/cache/mounts/" + Sha256Hex(m.cache_id);
      struct stat st;
      if (stat(host.c_str(), &st) != 0) {
        BUILDER_TRY(MakeDirs(host, m.mode));
        BUILDER_TRY(ChownToContainer(host, m.uid, m.gid));
        if (chmod(host.c_str(), m.mode) != 0) return FailErrno("chmod " + host, errno);
      }
      binds.push_back({host, m.target, false});
      continue;
    }
    std::string root = state.context->dir;
    if (m.from_stage >= 0) {
      StageImage& from = state.stages.at(static_cast<std::size_t>(m.from_stage));
      root = BUILDER_TRY(MaterializeStage(state, from, true));
      inputs->hashes["RUN --mount " + m.target] = "stage " + from.key.hex();
    } else if (!m.from_dir.empty()) {
      root = BUILDER_TRY(FilteredNamedDir(m.from_dir, scratch + "-named-" + std::to_string(i)));
      inputs->hashes["RUN --mount " + m.target] = "dir " + m.from_dir_digest;
    } else if (!m.from_image.empty()) {
      std::optional<oci::StoredImage> image;
      if (state.images) {
        image = BUILDER_TRY(state.images->Resolve(m.from_image, "RUN --mount image", &platform));
        if (!image) return Fail(ErrorCode::kInvalidArgument, "RUN --mount from=scratch has nothing to mount");
      } else {
        auto stored = state.store->Resolve(m.from_image);
        if (!stored) return Fail(ErrorCode::kNotFound, "RUN --mount from=" + m.from_image + ": image not in the store");
        image = std::move(*stored);
      }
      root = BUILDER_TRY(oci::SnapshotStore(*state.store).Prepare(*image));
      inputs->hashes["RUN --mount " + m.target] = "image " + image->digest().str();
    }
    host = BUILDER_TRY(ConfinedSource(root, m.source));
    if (!m.read_only) {
      // rw binds see their writes, which are then thrown away: mount a private copy.
      std::string copy = scratch + "-bind-" + std::to_string(i);
      auto cp = RunProcess(SpawnOptions{.argv = {"cp", "-a", host, copy}});
      if (!cp || !cp->status.ok()) return Fail(ErrorCode::kIo, "copy mount source " + m.source);
      host = copy;
    }
    binds.push_back({host, m.target, m.read_only});
  }
  return binds;
}

// The other stages a step reads.
std::vector<int> StagesRead(const planner::Step& step) {
  std::vector<int> out;
  if (const auto* copy = std::get_if<planner::CopyStep>(&step.action); copy && copy->from_stage >= 0)
    out.push_back(copy->from_stage);
  if (const auto* run = std::get_if<planner::RunStep>(&step.action))
    for (const planner::RunMount& m : run->mounts)
      if (m.from_stage >= 0) out.push_back(m.from_stage);
  return out;
}

// A linked step's result also under its chained key (parent = the layers beneath), so a cache
// export walking back from a stage's last key passes through it like any other step.
void RecordLinkedChain(BuildState& state, const StageImage& image, const cache::CacheKey& key,
                       cache::CacheEntry entry, int id) {
  auto config_blob = state.store->blobs().Put(oci::kOciConfig, image.config.Serialize());
  if (!config_blob) return;
  entry.config = config_blob->digest;
  entry.parent = image.key;
  auto recorded = state.index->Record(key, entry);
  if (!recorded) state.report->Output(id, "warning: cache not updated: " + recorded.error().ToString());
}

}  // namespace

Result<std::string> MaterializeStage(BuildState& state, StageImage& image, bool flat) {
  std::lock_guard lock(*image.guard);
  if (!image.stale && (!flat || image.lowers.size() == 1)) return image.lowers.front();
  oci::StoredImage so_far;
  so_far.manifest.layers = image.layers;
  so_far.config = image.config;
  so_far.manifest.config.digest = oci::Digest::Of(image.config.Serialize());
  std::string dir = BUILDER_TRY(oci::SnapshotStore(*state.store).Prepare(so_far));
  image.lowers = {dir};
  image.stale = false;
  return dir;
}

int StageVertexCount(const planner::Plan& plan) {
  int count = 1;
  for (const auto& s : plan.steps) count += planner::IsExecStep(s) ? 1 : 0;
  return count;
}

Result<void> RunStage(BuildState& state, const planner::Plan& plan, const std::string& label,
                      StageImage& image, int first_id) {
  BuildReporter& report = *state.report;
  std::size_t total = 1;
  for (const auto& s : plan.steps) total += planner::IsExecStep(s) ? 1 : 0;
  auto prefix = [&](std::size_t k) {
    return "[" + (label.empty() ? "" : label + " ") + std::to_string(k) + "/" + std::to_string(total) + "] ";
  };
  int next_id = first_id;
  int from_id = next_id++;
  // Images print by their full name, as BuildKit does ("docker.io/library/busybox:latest").
  std::string base_name = plan.base;
  if (plan.base_stage < 0 && base_name != "scratch") {
    if (auto ref = oci::Reference::ParseDockerRef(base_name)) base_name = ref->String();
  }
  report.Started(from_id, prefix(1) + "FROM " + base_name);
  report.Done(from_id, 0.0);

  std::size_t exec_index = 1;
  std::vector<std::size_t> metadata_entries;  // history indexes that take image.created at the end
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const planner::Step& step = plan.steps[i];
    oci::HistoryEntry history;
    history.created = state.created;
    history.created_by = step.created_by;
    history.comment = "buildkit.dockerfile.v0";
    if (!planner::IsExecStep(step)) {
      history.empty_layer = true;
      metadata_entries.push_back(image.config.history.size());
      image.config.history.push_back(history);
      continue;
    }
    if (state.wait_stage) {
      for (int from : StagesRead(step)) BUILDER_TRY(state.wait_stage(from));
    }
    if (state.cancel && state.cancel->cancelled()) return Fail(ErrorCode::kCancelled, "build canceled");
    int id = next_id++;
    ++exec_index;
    std::string name = prefix(exec_index) + step.name;
    std::string where = step.range.start.line > 0
                            ? " (Dockerfile line " + std::to_string(step.range.start.line) + ")"
                            : "";
    report.Started(id, name);
    auto fail_step = [&](Error e) -> std::unexpected<Error> {
      // Another stage failed first: this step's error is only the echo of its cancellation.
      if (state.cancel && state.cancel->cancelled()) {
        report.Canceled(id);
        return Fail(ErrorCode::kCancelled, "step " + name + where + ": canceled");
      }
      report.Errored(id, e.ToString());
      return Fail(std::move(e).Context("step " + name + where));
    };
    auto start = std::chrono::steady_clock::now();

    // The step's inputs and key; COPY --from reads another stage or image, not the context.
    const auto* copy = std::get_if<planner::CopyStep>(&step.action);
    BuildContext source = *state.context;
    cache::StepInputs inputs;
    std::function<Result<void>()> rehash;  // the summaries a miss explains and records
    if (copy && (copy->from_stage >= 0 || !copy->from_image.empty() || !copy->from_dir.empty())) {
      auto from = CopySource(state, *copy, plan.platform);
      if (!from) return fail_step(std::move(from.error()));
      source = BuildContext{from->first, std::nullopt};
      if (!copy->from_dir.empty()) {
        auto named = NamedDirSource(copy->from_dir);
        if (!named) return fail_step(std::move(named.error()));
        source = std::move(*named);
      }
      for (const auto& [k, v] : step.args) inputs.hashes["build arg " + k] = Sha256Hex(v);
      inputs.hashes["COPY --from"] = from->second;
    } else {
      const filespec::PatternMatcher* ignore = state.context->ignore ? &*state.context->ignore : nullptr;
      auto on_read = [&report, id, hashed_bytes = std::uint64_t{0}](std::uint64_t n) mutable {
        hashed_bytes += n;
        report.Progress(id, "hashing context", hashed_bytes, 0);
      };
      // Digests only at first: a hit (the no-op rebuild) needs no per-file summary.
      auto hashed = planner::HashStepInputs(step, state.context_fd, ignore, *state.hashes, on_read,
                                            /*need_entries=*/false);
      if (!hashed) return fail_step(std::move(hashed.error()));
      inputs = std::move(*hashed);
      // Only the elided summaries are replaced: their digests (and so the key) do not change,
      // and inputs added below (downloads, mounts) stay.
      rehash = [&state, &step, &inputs, ignore, on_read]() -> Result<void> {
        cache::StepInputs full = BUILDER_TRY(planner::HashStepInputs(
            step, state.context_fd, ignore, *state.hashes, on_read, /*need_entries=*/true));
        for (auto& [input, tree] : inputs.trees) {
          auto it = full.trees.find(input);
          if (tree.elided && it != full.trees.end()) tree = std::move(it->second);
        }
        return {};
      };
    }
    // ADD <url> without --checksum is keyed on what the download gives (BuildKit fetches on
    // every build too); a hit drops the temp file, a miss writes the layer from it.
    FetchedUrls fetched;
    if (copy && copy->add && copy->checksum.empty()) {
      for (const auto& url : copy->sources) {
        if (!IsUrl(url) || fetched.count(url)) continue;
        DownloadProgress progress(report, id);
        auto got = FetchUrlToTemp(url, state.store->blobs().TmpDir(), &progress);
        if (!got) return fail_step(std::move(got.error()));
        planner::SetFetchedUrlInput(inputs, url, got->digest, got->last_modified);
        fetched.emplace(url, std::move(*got));
      }
    }
    std::vector<sandbox::BindMount> binds;
    if (const auto* run = std::get_if<planner::RunStep>(&step.action); run && !run->mounts.empty()) {
      auto prepared = PrepareMounts(state, *run, state.scratch + "/" + std::to_string(id), &inputs, plan.platform);
      if (!prepared) return fail_step(std::move(prepared.error()));
      binds = std::move(*prepared);
    }
    // A linked COPY/ADD is looked up and recorded under a parent that is the same for every
    // base (lookup_key); what follows it still chains on the real parent (key).
    const bool linked = copy && copy->link;
    const cache::CacheKey lookup_parent = linked ? planner::LinkedParentKey() : image.key;
    const cache::CacheKey lookup_key = planner::StepKey(lookup_parent, step, inputs);
    const cache::CacheKey key = linked ? planner::StepKey(image.key, step, inputs) : lookup_key;
    // One runner per key across builds of this store (and stages of this one): a second waits
    // here, then finds the first one's result in the cache. Held until the step is recorded.
    // Polled rather than blocking, so that a canceled build stops waiting.
    std::string lock_path = state.store->LockPath("steps/" + key.hex());
    auto step_lock = FileLock::TryAcquire(lock_path, FileLock::Mode::kExclusive);
    if (!step_lock && step_lock.error().code() == ErrorCode::kAlreadyExists)
      report.Output(id, "waiting for another build (or stage) running this step");
    while (!step_lock && step_lock.error().code() == ErrorCode::kAlreadyExists) {
      if (state.cancel && state.cancel->cancelled()) return fail_step(Error(ErrorCode::kCancelled, "canceled"));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      step_lock = FileLock::TryAcquire(lock_path, FileLock::Mode::kExclusive);
    }
    if (!step_lock) return fail_step(std::move(step_lock.error()).Context("lock step"));
    if (!state.no_cache) {
      // A linked step over the same layers as before (or an imported cache, which holds chained
      // keys only) hits like any step; over new layers it hits through lookup_key, rebased.
      auto hit = state.index->Lookup(key);
      const bool rebased = linked && !(hit && *hit);
      if (rebased) hit = state.index->Lookup(lookup_key);
      if (hit && *hit) {
        const cache::CacheEntry& entry = **hit;
        if (entry.layer) {
          image.layers.push_back(*entry.layer);
          image.config.rootfs.diff_ids.push_back(entry.diff_id);
          // The dir kept when the layer was built stacks as is; without it, unpack later.
          auto kept = oci::DiffStore(*state.store).Find(entry.diff_id);
          if (kept && !image.stale) image.lowers.insert(image.lowers.begin(), *kept);
          else image.stale = true;
        }
        image.config.history.push_back(entry.history);
        image.created = std::max(image.created, entry.history.created);
        if (rebased) {
          report.Output(id, "linked: layer " + entry.diff_id.str() + " reused over the layers beneath (rebased, not copied)");
          RecordLinkedChain(state, image, key, entry, id);
        } else if (linked) {
          auto known = state.index->Lookup(lookup_key);
          if (!known || !*known) {
            // Found through the chain only (an imported cache): keep it for a later new base.
            cache::CacheEntry base_free = entry;
            base_free.parent = lookup_parent;
            auto recorded = state.index->Record(lookup_key, base_free);
            if (!recorded) report.Output(id, "warning: cache not updated: " + recorded.error().ToString());
          }
        }
        image.key = key;
        ++state.cached_steps;
        report.Cached(id);
        continue;
      }
    }
    const bool elided = std::any_of(inputs.trees.begin(), inputs.trees.end(),
                                    [](const auto& t) { return t.second.elided; });
    if (elided && rehash) {
      if (auto r = rehash(); !r) return fail_step(std::move(r.error()));
    }
    if (state.explain) {
      std::string why = state.no_cache ? std::string("--no-cache")
                                       : state.index->Explain(lookup_parent, step.canonical, inputs);
      report.Output(id, "cache miss: " + why);
    }
    auto lowered = MaterializeStage(state, image, false);
    if (!lowered) return fail_step(std::move(lowered.error()).Context("unpack cached layers"));

    std::string tag = std::to_string(id);
    std::string upper = state.scratch + "/" + tag + "-upper";
    std::string work = state.scratch + "/" + tag + "-work";
    BUILDER_TRY(MakeDirs(upper));
    BUILDER_TRY(MakeDirs(work));
    // --link: built over nothing, so the layer holds only what the step adds.
    oci::MergedView view(linked ? std::vector<std::string>{} : image.lowers);
    Result<void> ran = std::visit(
        [&](const auto& action) -> Result<void> {
          using T = std::decay_t<decltype(action)>;
          if constexpr (std::is_same_v<T, planner::RunStep>) {
            RunStepOptions ro;
            ro.upper_dir = upper;
            ro.work_dir = work;
            ro.scratch_dir = work + "-files";
            BUILDER_TRY(MakeDirs(ro.scratch_dir));
            ro.network_override = state.network == "default" ? "" : state.network;
            ro.default_network = state.default_network;
            ro.binds = binds;
            SecretMounts secrets = BUILDER_TRY(SecretMounts::Prepare(state.secrets, action));
            ro.binds.insert(ro.binds.end(), secrets.binds().begin(), secrets.binds().end());
            ro.secret_env = secrets.env();
            ro.on_started = [&secrets] { secrets.RemoveFiles(); };
            ro.cancel = state.cancel;
            ro.on_line = [&](std::string_view line) { report.Output(id, line); };
            return RunInSandbox(action, view, ro);
          } else if constexpr (std::is_same_v<T, planner::CopyStep>) {
            return CopyIntoUpper(source, action, view, upper, &fetched);
          } else if constexpr (std::is_same_v<T, planner::MkdirStep>) {
            oci::ResolvedUser owner;
            if (!action.user.empty()) owner = BUILDER_TRY(oci::ResolveRunUser(view, action.user));
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
      auto layer = CommitLayer(state, id, upper, &diff_id);
      if (!layer) return fail_step(std::move(layer.error()).Context("write layer"));
      image.layers.push_back(*layer);
      image.config.rootfs.diff_ids.push_back(diff_id);
      // Kept in the store, the upper dir serves later builds that hit this step's cache.
      auto kept = oci::DiffStore(*state.store).Adopt(upper, diff_id);
      if (!kept) report.Output(id, "warning: layer dir not kept: " + kept.error().ToString());
      image.lowers.insert(image.lowers.begin(), kept ? *kept : upper);
      entry.layer = *layer;
      entry.diff_id = diff_id;
      ++state.new_layers;
    }
    image.config.history.push_back(history);
    image.created = std::max(image.created, history.created);
    // Record the result; a cache that cannot be written only costs the next build time.
    auto config_blob = state.store->blobs().Put(oci::kOciConfig, image.config.Serialize());
    if (config_blob) {
      entry.config = config_blob->digest;
      entry.history = history;
      entry.description = step.name;
      entry.parent = lookup_parent;
      entry.step_identity = step.canonical;
      entry.inputs = inputs;
      auto recorded = state.index->Record(lookup_key, entry);
      if (!recorded) report.Output(id, "warning: cache not updated: " + recorded.error().ToString());
      if (linked && recorded) RecordLinkedChain(state, image, key, entry, id);
    }
    image.key = key;
    report.Done(id, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const std::string& stamp = image.created.empty() ? state.created : image.created;
  for (std::size_t index : metadata_entries) image.config.history[index].created = stamp;
  image.config.config = plan.final_config;
  image.config.author = plan.final_author;
  return {};
}

}  // namespace builder::executor
