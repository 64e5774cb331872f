// ImageStore: the local image store ($BUILDER_ROOT), an OCI image layout with tags in index.json.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/file_lock.h"
#include "oci/annotations.h"
#include "oci/blob_store.h"
#include "oci/descriptor.h"
#include "oci/image_config.h"
#include "oci/image_index.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "oci/reference.h"

namespace builder::oci {

// Tags: an index.json entry is named by its kAnnotationRefName annotation, whose value is
// the FULL normalized reference, "docker.io/library/app:1.0", never the familiar "app:1.0", so
// other tools address images the same way: `skopeo inspect
// oci:$BUILDER_ROOT:docker.io/library/app:1.0`, `umoci unpack --image
// $BUILDER_ROOT:docker.io/library/app:1.0`. Names written by other tools that are not full
// references ("app", "1.0") are read through Reference::ParseDockerRef.

/// One image as the store knows it: the manifest, its config, and the tags that point at it.
struct StoredImage {
  /// The manifest descriptor as index.json holds it, minus the ref.name annotation.
  Descriptor descriptor;
  Manifest manifest;
  ImageConfig config;
  /// Full normalized tags ("docker.io/library/app:1.0"), in index.json order; empty when the
  /// image is present untagged (a dangling image, listed as <none>).
  std::vector<Reference> tags;

  /// The image id, as docker defines it: the config digest.
  const Digest& id() const { return manifest.config.digest; }
  /// The manifest digest (docker's "RepoDigest" digest).
  const Digest& digest() const { return descriptor.digest; }
  /// The config plus every layer, in stored (compressed) bytes, as `docker images` counts.
  std::int64_t Size() const;
};

/// The store at `root`:
///   oci-layout, index.json, blobs/sha256/   an OCI image layout (readable by skopeo and umoci)
///   snapshots/<chainID>/                    unpacked layers (SnapshotStore)
///   diffs/<diffID>/                         layer dirs kept from builds (DiffStore)
///   tmp/                                    staging, same filesystem, swept by prune after 1 h
///   locks/index                             exclusive flock around every index.json update
///   locks/gc                                shared by writers with unreferenced blobs in flight,
///                                           exclusive for prune
/// index.json holds one manifest entry per tag (as umoci and skopeo write it) plus at most one
/// entry without a name per untagged image. It is rewritten whole and atomically, under the
/// index lock, so concurrent Tag/Untag calls from many processes never lose an update.
/// Entries that are image indexes (multi-platform) resolve to the host platform's manifest.
class ImageStore {
 public:
  /// Opens the store at root, creating the layout when missing (an empty index.json is
  /// written under the index lock, so a racing creator never overwrites a tag).
  /// kCorrupt when oci-layout names another imageLayoutVersion than 1.x.
  [[nodiscard]] static Result<ImageStore> Open(std::string root);
  /// $BUILDER_ROOT when set, else /var/lib/builder for uid 0, else $XDG_DATA_HOME/builder,
  /// else $HOME/.local/share/builder. kInvalidArgument when none of these can be determined.
  [[nodiscard]] static Result<std::string> DefaultRoot();

  const std::string& root() const { return blobs_.root(); }
  const BlobStore& blobs() const { return blobs_; }
  std::string LockPath(std::string_view name) const;

  /// Held (shared) by anything that publishes blobs or snapshots before an index.json entry
  /// references them: from the first published blob until Tag() has returned. Prune takes
  /// the same lock exclusively, so it never collects an in-flight image.
  [[nodiscard]] Result<FileLock> LockBlobsShared() const;

  /// index.json as stored (no lock needed: it is replaced atomically).
  [[nodiscard]] Result<ImageIndex> ReadIndex() const;
  /// Read-modify-write of index.json under the exclusive index lock. `edit` may fail, in which
  /// case nothing is written.
  [[nodiscard]] Result<void> UpdateIndex(
      const std::function<Result<void>(ImageIndex&)>& edit) const;

  /// Every image in index.json, grouped by manifest digest, in first-appearance order.
  /// An entry whose manifest or config cannot be read fails the whole call when `damaged` is
  /// null; otherwise it is left out and its error appended to *damaged, so one broken image
  /// does not hide the others (fsck names the damage).
  [[nodiscard]] Result<std::vector<StoredImage>> List(std::vector<Error>* damaged = nullptr) const;

  /// Finds an image the way docker does: a reference ("app", "app:1.0" -> docker.io/library/
  /// app:1.0, "app@sha256:<manifest digest>"), else a full id ("sha256:<hex>" or 64 hex), else a
  /// unique prefix of an id ("3f2a", "sha256:3f2a"). kNotFound ("No such image: app:1.0"),
  /// kInvalidArgument for an ambiguous prefix or malformed name. Damaged images are skipped,
  /// except that a tag naming a damaged image reports that image's error.
  [[nodiscard]] Result<StoredImage> Resolve(std::string_view name_or_id) const;
  /// Loads the image an index.json entry names (manifest, config; index -> host manifest).
  [[nodiscard]] Result<StoredImage> Load(const Descriptor& entry) const;

  /// Points `ref` (a tag is required; "latest" is added when missing) at the manifest.
  /// A tag that pointed elsewhere moves; its old image stays as an untagged entry unless
  /// another tag still names it. The manifest blob must exist (kNotFound otherwise).
  [[nodiscard]] Result<void> Tag(const Descriptor& manifest, const Reference& ref) const;
  /// Removes the tag. Returns true when it was the image's last tag, in which case the
  /// manifest is gone from index.json too (its blobs are freed by prune). kNotFound when the
  /// tag does not exist.
  [[nodiscard]] Result<bool> Untag(const Reference& ref) const;
  /// Lists the manifest (or index) without a name, unless an entry for its digest already
  /// exists (for `load` of untagged images). The blob must exist (kNotFound otherwise).
  [[nodiscard]] Result<void> AddUntagged(const Descriptor& manifest) const;
  /// Removes every index.json entry (tagged or not) for this manifest digest.
  [[nodiscard]] Result<void> RemoveImage(const Digest& manifest_digest) const;
  /// Removes the entries without a name: dangling images (`<none>`), left by tags that moved
  /// to a rebuilt image or loaded without one, as `docker image prune` does. Entries named by a
  /// digest reference are kept. Returns how many images left index.json.
  [[nodiscard]] Result<std::size_t> RemoveDangling() const;

  /// Writes the config and manifest blobs of a new image whose layer blobs are already stored
  /// (descriptors with the layer media types of `format`'s conversion) and returns the manifest
  /// descriptor, ready for Tag(). OCI media types by default; kDocker writes Docker schema 2.
  /// Callers hold LockBlobsShared() from before the layers were published until after Tag().
  [[nodiscard]] Result<Descriptor> WriteImage(const ImageConfig& config,
                                              const std::vector<Descriptor>& layers,
                                              ImageFormat format = ImageFormat::kOci) const;

 private:
  explicit ImageStore(BlobStore blobs) : blobs_(std::move(blobs)) {}
  [[nodiscard]] Result<Descriptor> PlatformManifest(const Descriptor& index_entry) const;

  BlobStore blobs_;
};

/// The full normalized name stored in ref.name for a user's reference ("app" ->
/// "docker.io/library/app:latest"); kInvalidArgument for malformed input or a digest reference.
[[nodiscard]] Result<Reference> ParseTagReference(std::string_view text);

}  // namespace builder::oci
