// PushImage: collect the blobs, push them through a few worker clients, then the manifests.
#include "registry/image_pusher.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "oci/image_index.h"
#include "oci/layer_recompress.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "registry/blob_sources.h"
#include "registry/blob_upload.h"

namespace builder::registry {
namespace {

struct Document {
  oci::Descriptor descriptor;
  std::string bytes;
};

struct Plan {
  std::vector<Document> children;  ///< an index's manifests, pushed by digest before it
  Document top;
  std::vector<oci::Descriptor> blobs;  ///< configs and layers, each once
};

Result<void> AddBlobs(const std::string& bytes, Plan& plan, std::set<std::string>& seen) {
  oci::Manifest manifest = BUILDER_TRY(oci::Manifest::Parse(bytes));
  std::vector<const oci::Descriptor*> all{&manifest.config};
  for (const oci::Descriptor& layer : manifest.layers) all.push_back(&layer);
  for (const oci::Descriptor* d : all) {
    if (oci::IsForeignLayer(d->media_type)) continue;  // registries must not receive these
    if (seen.insert(d->digest.str()).second) plan.blobs.push_back(*d);
  }
  return {};
}

// The stored manifest with every layer in `to` compression (converted into the store as
// needed); the bytes unchanged when nothing needed converting.
Result<std::string> Recompressed(const oci::ImageStore& store, const std::string& bytes, oci::Compression to) {
  oci::Manifest manifest = BUILDER_TRY(oci::Manifest::Parse(bytes));
  bool changed = false;
  for (oci::Descriptor& layer : manifest.layers) {
    if (!oci::IsLayer(layer.media_type) || oci::IsForeignLayer(layer.media_type) ||
        oci::LayerCompressionOf(layer.media_type) == to)
      continue;
    layer = BUILDER_TRY(oci::RecompressLayer(store, layer, to, manifest.format()));
    changed = true;
  }
  return changed ? manifest.Serialize() : bytes;
}

Result<Plan> MakePlan(const oci::ImageStore& store, const oci::Descriptor& entry,
                      std::optional<oci::Compression> compression) {
  Plan plan;
  std::set<std::string> seen;
  plan.top.descriptor = entry;
  plan.top.descriptor.annotations.clear();
  plan.top.bytes = BUILDER_TRY(store.blobs().Read(entry));
  if (compression && oci::IsIndex(entry.media_type))
    return Fail(ErrorCode::kUnsupported, "--compression cannot rewrite an image index; push one platform's image");
  if (compression) {
    plan.top.bytes = BUILDER_TRY(Recompressed(store, plan.top.bytes, *compression));
    plan.top.descriptor.digest = oci::Digest::Of(plan.top.bytes);
    plan.top.descriptor.size = static_cast<std::int64_t>(plan.top.bytes.size());
  }
  if (!oci::IsIndex(entry.media_type)) {
    BUILDER_TRY(AddBlobs(plan.top.bytes, plan, seen));
    return plan;
  }
  oci::ImageIndex index = BUILDER_TRY(oci::ImageIndex::Parse(plan.top.bytes));
  for (const oci::Descriptor& m : index.manifests) {
    if (!oci::IsManifest(m.media_type))
      return Fail(ErrorCode::kUnsupported, "index entry " + m.digest.str() + " is a " + m.media_type);
    if (!store.blobs().Has(m.digest))
      return Fail(ErrorCode::kNotFound, "the index lists manifest " + m.digest.str() +
                                            (m.platform ? " (" + m.platform->ToString() + ")" : std::string()) +
                                            ", which the store does not have (pull it with --platform first)");
    Document child{m, BUILDER_TRY(store.blobs().Read(m))};
    BUILDER_TRY(AddBlobs(child.bytes, plan, seen));
    plan.children.push_back(std::move(child));
  }
  return plan;
}

Result<std::pair<BlobPush, std::string>> PushBlob(const oci::ImageStore& store, RegistryClient& client,
                                                  const oci::Descriptor& blob, const BlobSources& sources,
                                                  std::int64_t chunk_size) {
  if (BUILDER_TRY(BlobExists(client, blob))) return std::pair{BlobPush::kExists, std::string()};
  if (auto from = sources.Find(blob.digest); from && *from != client.repository())
    if (BUILDER_TRY(MountBlob(client, blob.digest, *from))) return std::pair{BlobPush::kMounted, *from};
  UniqueFd fd = BUILDER_TRY(store.blobs().OpenFd(blob.digest));
  BUILDER_TRY(UploadBlob(client, blob, fd.get(), chunk_size));
  return std::pair{BlobPush::kUploaded, std::string()};
}

Result<PushedImage> Push(const oci::ImageStore& store, RegistryTransport& transport, const oci::Descriptor& entry,
                         const oci::Reference& dest, const PushOptions& options) {
  CredentialSource credentials = options.credentials;
  if (!credentials) credentials = [domain = dest.domain()] { return LoadRegistryCredentials(domain); };
  RegistryEndpoint endpoint = RegistryEndpoint::For(dest.domain());
  // Blobs read while pushing must not be collected by a concurrent prune.
  FileLock gc_lock = BUILDER_TRY(store.LockBlobsShared());
  Plan plan = BUILDER_TRY(MakePlan(store, entry, options.compression));
  BlobSources sources = BlobSources::Load(store.root(), dest.domain());
  std::vector<std::string> mount_from;
  for (const oci::Descriptor& blob : plan.blobs)
    if (auto from = sources.Find(blob.digest); from && *from != dest.path() &&
                                               std::find(mount_from.begin(), mount_from.end(), *from) == mount_from.end())
      mount_from.push_back(*from);

  PushedImage out;
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::optional<Error> failure;
  auto worker = [&] {
    RegistryClient client(transport, endpoint, dest.path(), credentials);
    client.RequestPush(mount_from);
    for (;;) {
      std::size_t i = next++;
      if (i >= plan.blobs.size()) return;
      {
        std::lock_guard lock(mu);
        if (failure) return;
      }
      auto pushed = PushBlob(store, client, plan.blobs[i], sources, options.chunk_size);
      std::lock_guard lock(mu);
      if (!pushed) {
        if (!failure) failure = std::move(pushed.error());
        return;
      }
      auto [what, from] = *pushed;
      ++(what == BlobPush::kUploaded ? out.blobs_uploaded
                                     : what == BlobPush::kMounted ? out.blobs_mounted : out.blobs_present);
      if (options.on_blob) options.on_blob(plan.blobs[i], what, from);
    }
  };
  std::size_t workers = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(options.jobs, 1)), 1,
                                                std::max<std::size_t>(plan.blobs.size(), 1));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers; ++i) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  if (failure) return Fail(std::move(*failure));

  // Every blob is in the registry: now the manifests, children before the index.
  RegistryClient client(transport, endpoint, dest.path(), credentials);
  client.RequestPush();
  for (const Document& child : plan.children)
    BUILDER_TRY(PutManifest(client, child.descriptor.digest.str(), child.descriptor.media_type, child.bytes));
  std::string target = dest.tag().empty() ? plan.top.descriptor.digest.str() : dest.tag();
  out.digest = BUILDER_TRY(PutManifest(client, target, entry.media_type, plan.top.bytes));
  out.size = static_cast<std::int64_t>(plan.top.bytes.size());

  for (const oci::Descriptor& blob : plan.blobs) sources.Record(blob.digest, dest.path());
  (void)sources.Save();  // a hint for later mounts: losing it costs an upload, not the push
  return out;
}

}  // namespace

Result<PushedImage> PushImage(const oci::ImageStore& store, RegistryTransport& transport, const oci::Descriptor& entry,
                              const oci::Reference& dest, const PushOptions& options) {
  auto pushed = Push(store, transport, entry, dest, options);
  if (!pushed) return Fail(std::move(pushed.error()).Context("push " + dest.String()));
  return pushed;
}

}  // namespace builder::registry
