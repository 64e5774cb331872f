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
