// DiffStore: per-layer directories kept from builds, usable as overlayfs lower dirs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "oci/digest.h"
#include "oci/image_store.h"

namespace builder::oci {

/// `<root>/diffs/<hex of diffID>/`: the overlayfs upper dir a build step wrote, holding exactly
/// that layer's changes (whiteouts in overlay form), kept after the layer blob was written so a
/// later build stacks it as a lower dir instead of unpacking the blob again.
///
/// A diff dir is published whole by rename, never changed afterwards, and shared read-only.
/// Unlike snapshots/ (flattened images, named by chain ID) a diff dir depends on one layer
/// only, so every image and cache entry with that diff_id shares it. Prune keeps a diff dir
/// while a marked config lists its diff_id.
class DiffStore {
 public:
  explicit DiffStore(const ImageStore& images) : images_(images) {}

  /// The diff dir of a layer when one is stored.
  [[nodiscard]] std::optional<std::string> Find(const Digest& diff_id) const;

  /// Moves `dir` (a finished upper dir on the store's filesystem, e.g. under tmp/) into the
  /// store as the diff dir of diff_id and returns its new path. When one is stored already the
  /// stored one is returned and `dir` is left where it is (the caller's scratch removes it).
  /// The caller must hold the store's shared gc lock.
  [[nodiscard]] Result<std::string> Adopt(const std::string& dir, const Digest& diff_id) const;

  /// Names (diffID hex) of the stored diff dirs; empty when there is no diffs/ yet.
  [[nodiscard]] Result<std::vector<std::string>> List() const;
  /// Deletes a diff dir by name; returns the bytes freed.
  [[nodiscard]] Result<std::uint64_t> Remove(const std::string& name) const;

 private:
  std::string Dir() const;
  const ImageStore& images_;
};

}  // namespace builder::oci
