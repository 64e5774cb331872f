// The distribution-spec push calls on one repository: blob HEAD, cross-repository mount,
// monolithic and chunked uploads that resume from the registry's offset, manifest PUT.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "oci/descriptor.h"
#include "oci/digest.h"
#include "registry/registry_client.h"

namespace builder::registry {

/// Blobs up to this size go in one PUT; bigger ones in PATCH chunks of this size.
inline constexpr std::int64_t kUploadChunk = 32 << 20;

/// HEAD /v2/<repo>/blobs/<digest>: true when the registry has the blob (with the
/// descriptor's size when it says one), false for 404. Retries transient failures.
[[nodiscard]] Result<bool> BlobExists(RegistryClient& client, const oci::Descriptor& blob);

/// POST /v2/<repo>/blobs/uploads/?mount=<digest>&from=<from>: true when the registry mounted
/// the blob (201); false when it did not (it then opened an upload, which is cancelled).
[[nodiscard]] Result<bool> MountBlob(RegistryClient& client, const oci::Digest& digest,
                                     std::string_view from);

/// Uploads the `blob.size` bytes read from `fd` (pread from offset 0; the caller's bytes, which
/// the registry checks against the digest at the final PUT, so a wrong byte is refused rather
/// than stored). Blobs up to chunk_size go in one PUT, bigger ones in PATCH chunks with
/// Content-Range. After a transient failure the registry is asked for its offset (GET on the
/// upload URL, Range header) and the upload continues from there; a lost upload session starts
/// over. Checks the Docker-Content-Digest of the answer. kIo after kTransferAttempts failures
/// in a row, kPermission for refused authentication, kCorrupt when the registry names another
/// digest.
[[nodiscard]] Result<void> UploadBlob(RegistryClient& client, const oci::Descriptor& blob, int fd,
                                      std::int64_t chunk_size = kUploadChunk);

/// PUT /v2/<repo>/manifests/<tag or digest> with Content-Type media_type; returns the
/// digest, checked against the registry's Docker-Content-Digest (kCorrupt when it differs).
[[nodiscard]] Result<oci::Digest> PutManifest(RegistryClient& client, std::string_view tag_or_digest,
                                              std::string_view media_type, std::string_view bytes);

}  // namespace builder::registry
