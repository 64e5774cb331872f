// SnapshotStore: images unpacked once into snapshots/<chainID>/ for the runner and the builder.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/digest.h"
#include "oci/image_store.h"
#include "oci/layer_unpacker.h"

namespace builder::oci {

/// The chain IDs of a layer stack, as the OCI image spec defines them:
/// ChainID(L0) = DiffID(L0), ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).
std::vector<Digest> ChainIds(const std::vector<Digest>& diff_ids);

/// The directory name used for an image with no layers (an empty root filesystem).
inline constexpr std::string_view kEmptySnapshot = "empty";

/// `<root>/snapshots/<hex of chainID>/`: the flattened root filesystem of a layer stack. The
/// directory is named by the hex part only, because ':' separates overlayfs lowerdir entries.
/// Today each snapshot is the whole image flattened (all layers applied in order into one
/// directory, named by the top chain ID); the build engine may later add per-layer snapshots
/// under the chain ID of each prefix, usable as overlay lower dirs, in the same folder. Prune
/// keeps a snapshot while some image's chain (any prefix) names it.
///
/// A snapshot appears whole or not at all: it is unpacked in tmp/ and renamed into place.
/// Snapshots are shared and must be treated as read-only by their users.
class SnapshotStore {
 public:
  explicit SnapshotStore(const ImageStore& images) : images_(images) {}

  /// `<root>/snapshots/<hex>` for a chain ID (existing or not).
  std::string PathOf(const Digest& chain_id) const;
  /// The snapshot directory of an image: its top chain ID, or kEmptySnapshot.
  std::string PathFor(const StoredImage& image) const;

  /// Returns the snapshot directory of the image, unpacking its layers (verified, via
  /// UnpackLayer) when it does not exist yet; concurrent callers for the same image both
  /// succeed and share one directory. Holds the store's shared gc lock while it works.
  /// Errors: those of UnpackLayer (kCorrupt for damaged or hostile layers), kUnsupported when
  /// the config's diff_ids do not pair up with the manifest's layers.
  [[nodiscard]] Result<std::string> Prepare(const StoredImage& image,
                                            const UnpackOptions& options = {}) const;

  /// Unpacks the image's layers into an existing directory `dir` (for `builder debug
  /// unpack`; the snapshot area is not touched).
  [[nodiscard]] Result<void> UnpackInto(const StoredImage& image, const std::string& dir,
                                        const UnpackOptions& options = {}) const;

  /// Names of the directories in snapshots/ (hex chain IDs and kEmptySnapshot).
  [[nodiscard]] Result<std::vector<std::string>> List() const;
  /// Deletes a snapshot directory by name; returns the bytes freed.
  [[nodiscard]] Result<std::uint64_t> Remove(const std::string& name) const;

 private:
  std::string Dir() const;
  const ImageStore& images_;
};

}  // namespace builder::oci
