// ImageSource: store lookups, pulls reported as build vertices, and the per-build memory.
#include "executor/image_source.h"

#include <chrono>
#include <variant>

#include "base/progress.h"
#include "oci/image_index.h"
#include "oci/media_types.h"
#include "registry/image_puller.h"

namespace builder::executor {
namespace {

// Download progress of a pull, forwarded to the vertex that reports it.
class VertexProgress final : public Progress {
 public:
  VertexProgress(BuildReporter* reporter, int id) : reporter_(reporter), id_(id) {}
  void Start(std::string_view task, std::uint64_t total) override {
    task_ = task;
    total_ = total;
    done_ = 0;
  }
  void Advance(std::uint64_t done) override {
    done_ += done;
    if (reporter_) reporter_->Progress(id_, task_, done_, total_);
  }
  void Finish() override {}

 private:
  BuildReporter* reporter_;
  int id_;
  std::string task_;
  std::uint64_t total_ = 0, done_ = 0;
};

bool IsTaggedAs(const oci::StoredImage& image, const oci::Reference& ref) {
  for (const oci::Reference& tag : image.tags)
    if (tag == ref) return true;
  return false;
}

}  // namespace

ImageSource::ImageSource(const oci::ImageStore& store, registry::RegistryTransport* registry,
                         bool always_pull, BuildReporter* reporter)
    : store_(store), registry_(registry), always_pull_(always_pull), reporter_(reporter) {}

Result<oci::StoredImage> ImageSource::Pull(const std::string& name, const oci::Reference& ref,
                                           const oci::Platform* platform) {
  int id = next_id_++;
  auto start = std::chrono::steady_clock::now();
  std::string suffix = platform ? " (" + platform->ToString() + ")" : "";
  if (reporter_) reporter_->Started(id, "[internal] pull " + ref.String() + suffix);
  VertexProgress progress(reporter_, id);
  registry::PullOptions options;
  if (platform) {
    options.platform = *platform;
    options.tag = false;
  }
  options.progress = &progress;
  options.on_blob = [&](const oci::Descriptor& blob, registry::BlobPull what) {
    if (reporter_)
      reporter_->Output(id, blob.digest.str() + (what == registry::BlobPull::kFetched ? " pulled" : " already exists"));
  };
  auto pulled = registry::PullImage(store_, *registry_, ref, options);
  if (!pulled) {
    if (reporter_) reporter_->Errored(id, pulled.error().ToString());
    return Fail(std::move(pulled.error()));
  }
  if (reporter_) {
    reporter_->Output(id, "digest: " + pulled->digest.str() +
                              (pulled->updated ? "" : " (image is up to date)"));
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    reporter_->Done(id, took.count());
  }
  // A digest may name an index, which the store does not keep (only the platform manifest):
  // load what was pulled rather than look the digest up.
  auto image = ref.digest() || platform ? store_.Load(pulled->manifest) : store_.Resolve(pulled->reference.String());
  if (!image) return Fail(std::move(image.error()).Context("resolve pulled image " + name));
  return std::move(*image);
}

Result<std::optional<oci::StoredImage>> ImageSource::Resolve(const std::string& name,
                                                             std::string_view role,
                                                             const oci::Platform* platform) {
  std::lock_guard lock(mu_);
  if (name == "scratch") return std::optional<oci::StoredImage>();
  // The host's platform takes the plain path (and its memory key): nothing changes for
  // single-platform builds.
  // An empty platform (a plan made by hand) is the host's too.
  if (platform && (platform->os.empty() || platform->Normalized().Matches(oci::Platform::Host())))
    platform = nullptr;
  const std::string key = platform ? name + " " + platform->ToString() : name;
  if (auto it = resolved_.find(key); it != resolved_.end()) return it->second;
  auto local = store_.Resolve(name);
  if (!local && local.error().code() != ErrorCode::kNotFound)
    return Fail(std::move(local.error()).Context("resolve image " + name));
  if (local && platform && oci::IsIndex(local->descriptor.media_type)) {
    // A stored multi-platform image (an earlier --platform build, a load): its entry for ours.
    auto index = store_.blobs().Read(local->descriptor);
    auto parsed = index ? oci::ImageIndex::Parse(*index) : Result<oci::ImageIndex>(Fail(std::move(index.error())));
    if (!parsed) return Fail(std::move(parsed.error()).Context("read image index of " + name));
    auto found = parsed->FindPlatform(*platform);
    if (!found.empty()) local = store_.Load(*found.front());
  }
  if (local && platform && !platform->Normalized().Matches(local->config.platform().Normalized()))
    local = Fail(ErrorCode::kNotFound, "no " + platform->ToString() + " image");
  auto ref = oci::Reference::ParseDockerRef(name);
  bool pull = false;
  if (registry_ && ref) {
    // --pull re-resolves tags only: a digest names fixed content, an id is no registry name.
    pull = !local || (always_pull_ && !ref->digest() && IsTaggedAs(*local, *ref));
  }
  std::string missing = std::string(role) + " " + name + (platform ? " for " + platform->ToString() : "") +
                      " is not in the store (" + store_.root() + ")";
  std::string hint = "get it with `builder pull " + name + "`, `builder load -i IMAGE.tar` or " +
                     "`builder import ROOTFS.tar " + name + "`";
  if (pull) {
    auto pulled = Pull(name, *ref, platform);
    if (!pulled && !local) {
      // Offline users need both facts: the store lacks it and the registry did not give it.
      Error e = std::move(pulled.error());
      return Fail(std::move(e).Context(missing + " and could not be pulled (" + hint + ")"));
    }
    if (!pulled) return Fail(std::move(pulled.error()));
    resolved_[key] = std::move(*pulled);
  } else if (local) {
    resolved_[key] = std::move(*local);
  } else {
    return Fail(ErrorCode::kNotFound, missing + ": " + hint);
  }
  return resolved_[key];
}

Result<void> ImageSource::Prefetch(const planner::BuildPlan& plan) {
  for (const planner::Plan& stage : plan.stages) {
    if (stage.base_stage < 0) BUILDER_TRY(Resolve(stage.base, "base image", &stage.platform));
    for (const planner::Step& step : stage.steps) {
      if (const auto* copy = std::get_if<planner::CopyStep>(&step.action); copy && !copy->from_image.empty())
        BUILDER_TRY(Resolve(copy->from_image, "COPY --from image", &stage.platform));
      if (const auto* run = std::get_if<planner::RunStep>(&step.action))
        for (const planner::RunMount& m : run->mounts)
          if (!m.from_image.empty()) BUILDER_TRY(Resolve(m.from_image, "RUN --mount image", &stage.platform));
    }
  }
  return {};
}

}  // namespace builder::executor
