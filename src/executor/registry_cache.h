// The build cache in a registry repository (--cache-to / --cache-from type=registry,ref=...):
// the registry side of cache::CacheReader, and importing a plain --cache-from REF, which is
// either a cache manifest or an image carrying an inline cache.
#pragma once

#include <string>

#include "cache/cache_index.h"
#include "cache/cache_transfer.h"
#include "oci/image_store.h"
#include "oci/reference.h"
#include "registry/registry_client.h"
#include "registry/registry_transport.h"

namespace builder::executor {

/// Reads a cache manifest tagged `ref` (a tag or digest reference) from its registry, with
/// the stored credentials when the registry asks.
class RegistryCacheReader final : public cache::CacheReader {
 public:
  RegistryCacheReader(registry::RegistryTransport& transport, const oci::Reference& ref);
  [[nodiscard]] Result<std::string> GetManifest() override;
  [[nodiscard]] Result<std::string> ReadSmallBlob(const oci::Descriptor& d) override;
  [[nodiscard]] Result<void> FetchBlob(const oci::Descriptor& d, const oci::BlobStore& into) override;
  /// The client, for callers that look at what the reference names first.
  registry::RegistryClient& client() { return client_; }

 private:
  registry::RegistryClient client_;
  std::string tag_or_digest_;
};

/// Writes a cache to the registry repository of `ref` and tags its manifest there (the tag
/// of ref, "latest" without one): blobs the registry has (HEAD) are skipped, others uploaded
/// (chunked and resumed as `builder push` does); the manifest goes last, so a failed export
/// leaves the previous cache under the tag. Asks for pull,push scope with the stored
/// credentials when the registry asks.
class RegistryCacheWriter final : public cache::CacheWriter {
 public:
  RegistryCacheWriter(registry::RegistryTransport& transport, const oci::Reference& ref);
  [[nodiscard]] Result<void> PutBlob(const oci::BlobStore& from, const oci::Descriptor& d) override;
  [[nodiscard]] Result<void> PutSmallBlob(const oci::Descriptor& d, std::string_view bytes) override;
  [[nodiscard]] Result<void> PutManifest(std::string_view bytes) override;

 private:
  registry::RegistryClient client_;
  std::string tag_;
};

/// Imports the cache `ref` names: a cache manifest is imported as ImportCache does; an image
/// (manifest or multi-platform index) is pulled by digest (untagged: the cache entries keep its
/// blobs) and the cache entries in its config's inline field are recorded, if any.
/// Errors: the registry's (kNotFound when ref does not exist), kCorrupt for a damaged cache.
[[nodiscard]] Result<cache::TransferStats> ImportRegistryCache(const oci::ImageStore& store,
                                                               const cache::CacheIndex& index,
                                                               registry::RegistryTransport& transport,
                                                               const oci::Reference& ref,
                                                               bool read_inline);

}  // namespace builder::executor
