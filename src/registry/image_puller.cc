// PullImage: resolve the manifest, stream the missing blobs through a verifying sink, tag.
#include "registry/image_puller.h"

#include <optional>
#include <string>

#include "base/sha256.h"
#include "base/staged_file.h"
#include "oci/image_index.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace builder::registry {
namespace {

// Hashes and counts what it writes to a staged blob; refuses bytes past the expected size so
// a hostile registry cannot fill the disk.
class VerifyingSink final : public oci::ByteSink {
 public:
  VerifyingSink(int fd, const oci::Descriptor& expected, Progress* progress)
      : fd_(fd), expected_(expected), progress_(progress) {}

  Result<void> Write(std::span<const std::uint8_t> bytes) override {
    written_ += static_cast<std::int64_t>(bytes.size());
    if (written_ > expected_.size)
      return Fail(ErrorCode::kCorrupt, "blob " + expected_.digest.str() + ": the registry sent more than " +
                                           std::to_string(expected_.size) + " bytes");
    hash_.Update(bytes);
    BUILDER_TRY(WriteAll(fd_, {reinterpret_cast<const char*>(bytes.data()), bytes.size()},
                         "blob " + expected_.digest.str()));
    if (progress_) progress_->Advance(bytes.size());
    return {};
  }
  Result<void> Close() override { return {}; }

  // Size and digest as announced by the manifest, else kCorrupt.
  Result<void> Check() {
    if (written_ != expected_.size)
      return Fail(ErrorCode::kCorrupt, "blob " + expected_.digest.str() + ": got " + std::to_string(written_) +
                                           " bytes, the manifest says " + std::to_string(expected_.size));
    std::string got = "sha256:" + hash_.FinishHex();
    if (got != expected_.digest.str())
      return Fail(ErrorCode::kCorrupt, "blob " + expected_.digest.str() + ": content digest is " + got);
    return {};
  }

 private:
  int fd_;
  const oci::Descriptor& expected_;
  Progress* progress_;
  Sha256 hash_;
  std::int64_t written_ = 0;
};

Result<bool> FetchBlob(const oci::ImageStore& store, RegistryClient& client, const oci::Descriptor& blob,
                       const PullOptions& options) {
  if (!blob.digest.is_sha256())
    return Fail(ErrorCode::kUnsupported, "blob " + blob.digest.str() + ": only sha256 digests are supported");
  if (store.blobs().Has(blob.digest)) return false;
  StagedFile staged = BUILDER_TRY(store.blobs().Stage());
  VerifyingSink sink(staged.fd(), blob, options.progress);
  if (options.progress)
    options.progress->Start("Downloading " + blob.digest.ShortId(), static_cast<std::uint64_t>(blob.size));
  auto got = client.GetBlob(blob.digest, sink);
  if (options.progress) options.progress->Finish();
  BUILDER_TRY(got);
  BUILDER_TRY(sink.Check());
  BUILDER_TRY(store.blobs().Commit(std::move(staged), blob.digest));
  return true;
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
  FetchedManifest chosen = BUILDER_TRY(client.GetManifest(entry.digest.str()));
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
  FetchedManifest top = BUILDER_TRY(client.GetManifest(ref.digest() ? ref.digest()->str() : ref.tag()));
  out.digest = top.digest;
  FetchedManifest chosen = BUILDER_TRY(PlatformManifest(client, std::move(top), options.platform));
  oci::Manifest manifest = BUILDER_TRY(oci::Manifest::Parse(chosen.bytes));
  if (!oci::IsConfig(manifest.config.media_type))
    return Fail(ErrorCode::kUnsupported, "manifest " + chosen.digest.str() + " is not an image (config type " +
                                             manifest.config.media_type + ")");

  FileLock gc_lock = BUILDER_TRY(store.LockBlobsShared());
  std::vector<const oci::Descriptor*> blobs{&manifest.config};
  for (const oci::Descriptor& layer : manifest.layers) blobs.push_back(&layer);
  for (const oci::Descriptor* blob : blobs) {
    bool fetched = BUILDER_TRY(FetchBlob(store, client, *blob, options));
    ++(fetched ? out.blobs_fetched : out.blobs_present);
    if (options.on_blob) options.on_blob(*blob, fetched ? BlobPull::kFetched : BlobPull::kPresent);
  }
  out.manifest = BUILDER_TRY(store.blobs().Put(chosen.media_type, chosen.bytes));
  if (ref.digest()) {
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
