// PushImage: one image (or image index) from the local store to a registry repository.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/error.h"
#include "oci/descriptor.h"
#include "oci/media_types.h"
#include "oci/image_store.h"
#include "oci/reference.h"
#include "registry/registry_client.h"
#include "registry/registry_transport.h"

namespace builder::registry {

/// What happened to one blob of a push, for docker's per-layer lines.
enum class BlobPush { kExists, kMounted, kUploaded };

struct PushOptions {
  /// Called once per config and layer blob when it is in the registry (from several threads,
  /// one call at a time). `from` names the source repository of a mount.
  std::function<void(const oci::Descriptor&, BlobPush, const std::string& from)> on_blob;
  /// Credentials for registries that ask; default: LoadRegistryCredentials(domain).
  CredentialSource credentials;
  /// Blobs in flight at once.
  int jobs = 3;
  /// Passed to UploadBlob (tests use small chunks).
  std::int64_t chunk_size = 32 << 20;
  /// Layers stored in another compression are recompressed (into the store, so a later push
  /// finds them) and the manifest rewritten with the new layer descriptors, as docker does;
  /// the pushed manifest then differs from the stored one. Not for image indexes.
  std::optional<oci::Compression> compression;
};

struct PushedImage {
  oci::Digest digest;     ///< of the manifest (or index) under the tag
  std::int64_t size = 0;  ///< its byte count (docker's "size:")
  std::size_t blobs_uploaded = 0;
  std::size_t blobs_mounted = 0;
  std::size_t blobs_present = 0;
};

/// Pushes `entry` (an index.json entry of the store: an image manifest, or an image index
/// whose manifests are all in the store) to `dest` (its tag, or its digest when it has none):
/// every config and layer blob the registry lacks (HEAD), mounted from another repository of
/// the same registry when the store's BlobSources names one, else uploaded; up to
/// options.jobs at once. Manifests go last, after every blob they reference is in the
/// registry, so a failed push leaves no manifest naming a missing blob. Foreign
/// (non-distributable) layers are not pushed. Records the blobs' repository for later mounts.
/// Errors, prefixed "push <dest>": the client's and UploadBlob's, kNotFound for a manifest of
/// an index the store lacks, kCorrupt for a stored blob whose digest is wrong.
[[nodiscard]] Result<PushedImage> PushImage(const oci::ImageStore& store, RegistryTransport& transport,
                                            const oci::Descriptor& entry, const oci::Reference& dest,
                                            const PushOptions& options = {});

}  // namespace builder::registry
