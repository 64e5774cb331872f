// PullImage: resolve the manifest, stream the missing blobs through a verifying sink, tag.
#include "registry/image_puller.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/staged_file.h"
#include "base/unique_fd.h"
#include "oci/image_config.h"
#include "oci/image_index.h"
#include "oci/layer_entry_check.h"
#include "oci/layer_stream.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "registry/blob_sources.h"
#include "registry/transfer_retry.h"
#include "registry/verifying_sink.h"

namespace builder::registry {
namespace {

// Forwards the workers' byte counts to the one progress task, one at a time; their per-blob
// Start/Finish are dropped.
class SharedProgress final : public Progress {
 public:
  SharedProgress(Progress* inner, std::mutex& mu) : inner_(inner), mu_(mu) {}
  void Start(std::string_view, std::uint64_t) override {}
  void Advance(std::uint64_t done) override {
    if (inner_ == nullptr) return;
    std::lock_guard lock(mu_);
    inner_->Advance(done);
  }
  void Finish() override {}

 private:
  Progress* inner_;
  std::mutex& mu_;
};

// fetch() again after transient failures (dropped connections, 429, 5xx).
template <typename Fetch>
auto Retrying(const Fetch& fetch) -> decltype(fetch()) {
  for (int failures = 1;; ++failures) {
    auto got = fetch();
    if (got || !IsTransientError(got.error()) || failures >= kTransferAttempts) return got;
    PauseBeforeRetry(failures);
  }
}

Result<bool> FetchBlob(const oci::ImageStore& store, RegistryClient& client, const oci::Descriptor& blob,
                       const PullOptions& options) {
  if (!blob.digest.is_sha256())
    return Fail(ErrorCode::kUnsupported, "blob " + blob.digest.str() + ": only sha256 digests are supported");
  if (store.blobs().Has(blob.digest)) return false;
  StagedFile staged = BUILDER_TRY(store.blobs().Stage());
  VerifyingSink sink(staged.fd(), blob, options.progress);
  if (options.progress)
    options.progress->Start("Downloading " + blob.digest.ShortId(), static_cast<std::uint64_t>(blob.size));
  // Dropped connections and transient statuses are retried, resuming where the bytes stopped.
  Result<void> got;
  for (int failures = 1;; ++failures) {
    std::int64_t offset = sink.written();
    got = client.GetBlob(blob.digest, sink, offset);
    if (!got && got.error().code() == ErrorCode::kCorrupt && offset > 0) {
      // More than the blob: the registry ignored the Range and sent it whole. Start over.
      BUILDER_TRY(sink.Restart());
      got = client.GetBlob(blob.digest, sink, 0);
    }
    if (got || !IsTransientError(got.error()) || failures >= kTransferAttempts) break;
    PauseBeforeRetry(failures);
  }
  if (options.progress) options.progress->Finish();
  BUILDER_TRY(got);
  BUILDER_TRY(sink.Check());
  BUILDER_TRY(store.blobs().Commit(std::move(staged), blob.digest));
  return true;
}

// Every layer, bottom first, read with the unpacker's rules and checked against the config's
// diff_ids, so a hostile or mislabelled image is refused before any tag names it.
Result<void> CheckLayers(const oci::ImageStore& store, const oci::Manifest& manifest) {
  std::string config_bytes = BUILDER_TRY(store.blobs().Read(manifest.config));
  oci::ImageConfig config = BUILDER_TRY(oci::ImageConfig::Parse(config_bytes));
  if (config.rootfs.diff_ids.size() != manifest.layers.size())
    return Fail(ErrorCode::kCorrupt, "config lists " + std::to_string(config.rootfs.diff_ids.size()) +
                                         " diff_ids for " + std::to_string(manifest.layers.size()) + " layers");
  oci::LayerEntryCheck check;
  for (std::size_t i = 0; i < manifest.layers.size(); ++i) {
    const oci::Descriptor& layer = manifest.layers[i];
    auto checked = [&]() -> Result<void> {
      UniqueFd fd = BUILDER_TRY(store.blobs().OpenFd(layer.digest));
      auto reader = BUILDER_TRY(oci::LayerBlobReader::Open(
          fd.get(), oci::LayerCompressionOf(layer.media_type), {layer.digest, config.rootfs.diff_ids[i]}));
      check.NextLayer();
      BUILDER_TRY(oci::CheckLayerEntries(*reader, check));
      return {};
    }();
    if (!checked) return Fail(std::move(checked).error().Context("layer " + layer.digest.str()));
  }
  return {};
}

// The manifest for the platform: the fetched one, or the index entry's, fetched by digest.
Result<FetchedManifest> PlatformManifest(RegistryClient& client, FetchedManifest top,
                                         const oci::Platform& platform) {
  if (!oci::IsIndex(top.media_type)) return top;
  oci::ImageIndex index = BUILDER_TRY(oci::ImageIndex::Parse(top.bytes));
  auto matches = index.FindPlatform(platform);
  if (matches.empty()) {
    std::string have;
    for (const oci::Descriptor& m : index.manifests)
      if (m.platform) have += (have.empty() ? "" : ", ") + m.platform->ToString();
    return Fail(ErrorCode::kNotFound, "no manifest for platform " + platform.ToString() +
                                          " (the image has: " + (have.empty() ? "none" : have) + ")");
  }
  const oci::Descriptor& entry = *matches.front();
  if (!oci::IsManifest(entry.media_type))
    return Fail(ErrorCode::kUnsupported, "the " + platform.ToString() + " entry is a " + entry.media_type +
                                             ", not an image manifest");
  FetchedManifest chosen = BUILDER_TRY(Retrying([&] { return client.GetManifest(entry.digest.str()); }));
  if (static_cast<std::int64_t>(chosen.bytes.size()) != entry.size)
    return Fail(ErrorCode::kCorrupt, "manifest " + entry.digest.str() + " is " +
                                         std::to_string(chosen.bytes.size()) + " bytes, the index says " +
                                         std::to_string(entry.size));
  if (!oci::IsManifest(chosen.media_type))
    return Fail(ErrorCode::kUnsupported, "manifest " + entry.digest.str() + " is a " + chosen.media_type);
  return chosen;
}

Result<PulledImage> Pull(const oci::ImageStore& store, RegistryTransport& transport, const oci::Reference& ref,
                         const PullOptions& options) {
  CredentialSource credentials = options.credentials;
  if (!credentials) credentials = [domain = ref.domain()] { return LoadRegistryCredentials(domain); };
  RegistryClient client(transport, RegistryEndpoint::For(ref.domain()), ref.path(), credentials);

  PulledImage out;
  out.reference = ref;
  FetchedManifest top = BUILDER_TRY(Retrying([&] { return client.GetManifest(ref.digest() ? ref.digest()->str() : ref.tag()); }));
  out.digest = top.digest;
  FetchedManifest chosen = BUILDER_TRY(PlatformManifest(client, std::move(top), options.platform));
  oci::Manifest manifest = BUILDER_TRY(oci::Manifest::Parse(chosen.bytes));
  if (!oci::IsConfig(manifest.config.media_type))
    return Fail(ErrorCode::kUnsupported, "manifest " + chosen.digest.str() + " is not an image (config type " +
                                             manifest.config.media_type + ")");

  FileLock gc_lock = BUILDER_TRY(store.LockBlobsShared());
  std::vector<const oci::Descriptor*> blobs{&manifest.config};
  for (const oci::Descriptor& layer : manifest.layers) blobs.push_back(&layer);
  BlobSources sources = BlobSources::Load(store.root(), ref.domain());
  // Several blobs in flight, each worker with its own client (clients are not thread-safe;
  // the transport is). Progress becomes one task over every missing byte.
  std::uint64_t missing = 0;
  for (const oci::Descriptor* blob : blobs)
    if (!store.blobs().Has(blob->digest)) missing += static_cast<std::uint64_t>(blob->size);
  std::mutex mu;
  SharedProgress shared(options.progress, mu);
  PullOptions worker_options = options;
  worker_options.progress = options.progress ? &shared : nullptr;
  if (options.progress && missing > 0) options.progress->Start("Downloading", missing);
  std::atomic<std::size_t> next{0};
  std::optional<Error> failure;
  auto worker = [&] {
    RegistryClient own(client);  // starts with the token the manifest requests got
    for (std::size_t i; (i = next++) < blobs.size();) {
      {
        std::lock_guard lock(mu);
        if (failure) return;
      }
      auto fetched = FetchBlob(store, own, *blobs[i], worker_options);
      std::lock_guard lock(mu);
      if (!fetched) {
        if (!failure) failure = std::move(fetched.error());
        return;
      }
      ++(*fetched ? out.blobs_fetched : out.blobs_present);
      if (options.on_blob) options.on_blob(*blobs[i], *fetched ? BlobPull::kFetched : BlobPull::kPresent);
      sources.Record(blobs[i]->digest, ref.path());
    }
  };
  std::size_t workers = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(options.jobs, 1)), 1, blobs.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers; ++i) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  if (options.progress && missing > 0) options.progress->Finish();
  if (failure) return Fail(std::move(*failure));
  (void)sources.Save();  // a hint for cross-repository mounts when pushing; never fatal
  // Layers already in the store were judged when they came; a new one is judged over them.
  if (out.blobs_fetched > 0) BUILDER_TRY(CheckLayers(store, manifest));
  out.manifest = BUILDER_TRY(store.blobs().Put(chosen.media_type, chosen.bytes));
  if (ref.digest() || !options.tag) {
    BUILDER_TRY(store.AddUntagged(out.manifest));
    return out;
  }
  auto before = store.Resolve(ref.String());
  out.updated = !before || before->digest() != out.manifest.digest;
  BUILDER_TRY(store.Tag(out.manifest, ref));
  return out;
}

}  // namespace

Result<PulledImage> PullImage(const oci::ImageStore& store, RegistryTransport& transport, const oci::Reference& ref,
                              const PullOptions& options) {
  oci::Reference full = ref.WithDefaultTag();
  auto pulled = Pull(store, transport, full, options);
  if (!pulled) return Fail(std::move(pulled.error()).Context("pull " + full.String()));
  return pulled;
}

}  // namespace builder::registry
