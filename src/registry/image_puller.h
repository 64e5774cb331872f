// PullImage: one image from a registry into the local store (manifest, config, layers, tag).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "base/error.h"
#include "base/progress.h"
#include "oci/descriptor.h"
#include "oci/image_store.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "registry/registry_client.h"
#include "registry/registry_transport.h"

namespace builder::registry {

/// What happened to one blob of a pull, for per-layer status lines.
enum class BlobPull { kPresent, kFetched };

struct PullOptions {
  /// The manifest an index or manifest list is narrowed to.
  oci::Platform platform = oci::Platform::Host();
  /// Download progress of each fetched blob (may be null).
  Progress* progress = nullptr;
  /// Called once per config and layer blob, after it is stored or found present (may be empty).
  std::function<void(const oci::Descriptor&, BlobPull)> on_blob;
  /// Credentials for registries that ask; default: LoadRegistryCredentials(domain).
  CredentialSource credentials;
  /// Blobs downloaded at once. on_blob and progress are then called from several threads,
  /// one call at a time; progress sees one "Downloading" task over every missing byte.
  int jobs = 3;
  /// False: the manifest is kept as an untagged entry and the tag stays where it was (a
  /// foreign platform's base pulled for a multi-platform build must not move the host's tag).
  bool tag = true;
};

struct PulledImage {
  /// The normalized reference pulled ("docker.io/library/busybox:latest"); tagged in the
  /// store unless it is a digest reference.
  oci::Reference reference;
  /// What the reference names in the registry: the index's digest for a multi-platform image,
  /// else the manifest's (docker's "Digest:" line).
  oci::Digest digest;
  /// The platform manifest stored (and tagged).
  oci::Descriptor manifest;
  std::size_t blobs_fetched = 0;
  std::size_t blobs_present = 0;
  /// False when the tag already named this manifest (docker's "Image is up to date").
  bool updated = true;
};

/// Pulls `ref` (a tag, "latest" when it has neither tag nor digest, or a digest) from its
/// registry (RegistryEndpoint::For) into `store`: the manifest (an index or manifest list is
/// narrowed to options.platform; the platform manifest is what the store keeps, in its
/// registry bytes, OCI or Docker schema 2 alike), then the config and every layer, each
/// streamed into the blob store, its size and sha256 checked before it is published, and
/// skipped when already present. Finally the tag points at the manifest (a digest reference
/// stays untagged). Holds the store's shared gc lock throughout.
/// Errors, prefixed "pull <ref>": the client's (kNotFound, kPermission, kIo, e.g. "connect to
/// 127.0.0.1:5999: Connection refused"), kCorrupt for a blob or manifest whose digest or size
/// differs (that blob is not stored and nothing is tagged), kNotFound when an index has no
/// manifest for the platform, kUnsupported for non-image manifests.
[[nodiscard]] Result<PulledImage> PullImage(const oci::ImageStore& store, RegistryTransport& transport,
                                            const oci::Reference& ref, const PullOptions& options = {});

}  // namespace builder::registry
