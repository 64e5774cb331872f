// Importing the build cache from a registry: cache manifests, and images with an inline cache.
#include "executor/registry_cache.h"

#include "base/sha256.h"
#include "base/staged_file.h"
#include "cache/inline_cache.h"
#include "oci/byte_stream.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "registry/image_puller.h"
#include "registry/registry_auth.h"

namespace builder::executor {
namespace {

// Writes a blob to a staged file while hashing it; Check() compares size and digest.
class HashingSink final : public oci::ByteSink {
 public:
  HashingSink(int fd, const oci::Descriptor& expected) : fd_(fd), expected_(expected) {}
  [[nodiscard]] Result<void> Write(std::span<const std::uint8_t> bytes) override {
    written_ += static_cast<std::int64_t>(bytes.size());
    if (written_ > expected_.size)
      return Fail(ErrorCode::kCorrupt, "cache blob " + expected_.digest.str() + " is larger than its descriptor says");
    hash_.Update(bytes);
    return WriteAll(fd_, {reinterpret_cast<const char*>(bytes.data()), bytes.size()}, "cache blob");
  }
  [[nodiscard]] Result<void> Close() override { return {}; }
  [[nodiscard]] Result<void> Check() {
    if (written_ != expected_.size || "sha256:" + hash_.FinishHex() != expected_.digest.str())
      return Fail(ErrorCode::kCorrupt, "cache blob " + expected_.digest.str() + " does not match its digest");
    return {};
  }

 private:
  int fd_;
  const oci::Descriptor& expected_;
  Sha256 hash_;
  std::int64_t written_ = 0;
};

registry::CredentialSource CredentialsFor(const std::string& domain) {
  return [domain] { return registry::LoadRegistryCredentials(domain); };
}

}  // namespace

RegistryCacheReader::RegistryCacheReader(registry::RegistryTransport& transport, const oci::Reference& ref)
    : client_(transport, registry::RegistryEndpoint::For(ref.domain()), ref.path(), CredentialsFor(ref.domain())),
      tag_or_digest_(ref.digest() ? ref.digest()->str() : ref.WithDefaultTag().tag()) {}

Result<std::string> RegistryCacheReader::GetManifest() {
  registry::FetchedManifest got = BUILDER_TRY(client_.GetManifest(tag_or_digest_));
  return std::move(got.bytes);
}

Result<std::string> RegistryCacheReader::ReadSmallBlob(const oci::Descriptor& d) {
  if (d.size < 0 || d.size > oci::kMaxSmallBlob)
    return Fail(ErrorCode::kCorrupt, "cache blob " + d.digest.str() + " is too large for metadata");
  oci::StringSink sink;
  BUILDER_TRY(client_.GetBlob(d.digest, sink));
  if (static_cast<std::int64_t>(sink.data().size()) != d.size || oci::Digest::Of(sink.data()) != d.digest)
    return Fail(ErrorCode::kCorrupt, "cache blob " + d.digest.str() + " does not match its digest");
  return sink.data();
}

Result<void> RegistryCacheReader::FetchBlob(const oci::Descriptor& d, const oci::BlobStore& into) {
  if (!d.digest.is_sha256()) return Fail(ErrorCode::kUnsupported, "digest " + d.digest.str());
  if (into.Has(d.digest)) return {};
  StagedFile staged = BUILDER_TRY(into.Stage());
  HashingSink sink(staged.fd(), d);
  BUILDER_TRY(client_.GetBlob(d.digest, sink));
  BUILDER_TRY(sink.Check());
  return into.Commit(std::move(staged), d.digest);
}

Result<cache::TransferStats> ImportRegistryCache(const oci::ImageStore& store, const cache::CacheIndex& index,
                                                 registry::RegistryTransport& transport,
                                                 const oci::Reference& ref, bool read_inline) {
  RegistryCacheReader reader(transport, ref);
  registry::FetchedManifest top = BUILDER_TRY(reader.client().GetManifest(
      ref.digest() ? ref.digest()->str() : ref.WithDefaultTag().tag()));
  if (oci::IsManifest(top.media_type)) {
    auto manifest = oci::Manifest::Parse(top.bytes);
    if (manifest && cache::IsCacheManifest(*manifest)) {
      // Pinned to the digest just read, so the manifest cannot change under the import.
      RegistryCacheReader pinned(transport, ref.WithoutTag().WithDigest(top.digest));
      return cache::ImportCache(store, index, pinned);
    }
  }
  if (!read_inline) return Fail(ErrorCode::kCorrupt, ref.String() + " is not a build cache manifest");
  // An image: its layers are the cache, its config may list the keys.
  registry::PulledImage pulled = BUILDER_TRY(registry::PullImage(store, transport, ref.WithoutTag().WithDigest(top.digest)));
  auto lock = BUILDER_TRY(store.LockBlobsShared());
  std::string manifest_bytes = BUILDER_TRY(store.blobs().Read(pulled.manifest));
  oci::Manifest manifest = BUILDER_TRY(oci::Manifest::Parse(manifest_bytes));
  std::string config = BUILDER_TRY(store.blobs().Read(manifest.config.digest));
  auto entries = BUILDER_TRY(cache::ReadInlineCache(config, manifest.config.digest, manifest.layers));
  return cache::RecordImported(store, index, entries);
}

}  // namespace builder::executor
