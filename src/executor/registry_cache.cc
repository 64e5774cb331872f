// Importing the build cache from a registry: cache manifests, and images with an inline cache.
#include "executor/registry_cache.h"

#include <sys/mman.h>

#include "base/unique_fd.h"
#include "base/staged_file.h"
#include "cache/inline_cache.h"
#include "oci/byte_stream.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "registry/image_puller.h"
#include "registry/blob_upload.h"
#include "registry/registry_auth.h"
#include "registry/verifying_sink.h"

namespace builder::executor {
namespace {

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
  registry::VerifyingSink sink(staged.fd(), d);
  BUILDER_TRY(client_.GetBlob(d.digest, sink));
  BUILDER_TRY(sink.Check());
  return into.Commit(std::move(staged), d.digest);
}

RegistryCacheWriter::RegistryCacheWriter(registry::RegistryTransport& transport, const oci::Reference& ref)
    : client_(transport, registry::RegistryEndpoint::For(ref.domain()), ref.path(), CredentialsFor(ref.domain())),
      tag_(ref.WithDefaultTag().tag()) {
  client_.RequestPush();
}

Result<void> RegistryCacheWriter::PutBlob(const oci::BlobStore& from, const oci::Descriptor& d) {
  if (BUILDER_TRY(registry::BlobExists(client_, d))) return {};
  // The registry checks the digest at the final PUT, so a damaged stored blob is refused there.
  UniqueFd fd = BUILDER_TRY(from.OpenFd(d.digest));
  return registry::UploadBlob(client_, d, fd.get());
}

Result<void> RegistryCacheWriter::PutSmallBlob(const oci::Descriptor& d, std::string_view bytes) {
  if (BUILDER_TRY(registry::BlobExists(client_, d))) return {};
  // UploadBlob reads with pread: an anonymous memory file holds the bytes.
  UniqueFd fd(::memfd_create("cache-config", MFD_CLOEXEC));
  if (!fd) return FailErrno("cache config: memfd_create", errno);
  BUILDER_TRY(WriteAll(fd.get(), bytes, "cache config"));
  return registry::UploadBlob(client_, d, fd.get());
}

Result<void> RegistryCacheWriter::PutManifest(std::string_view bytes) {
  BUILDER_TRY(registry::PutManifest(client_, tag_, oci::kOciManifest, bytes));
  return {};
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
