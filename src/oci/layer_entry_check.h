// LayerEntryCheck: the unpacker's rules applied to a layer's entries without writing anything,
// so import, load and pull refuse a hostile layer before it is stored.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <archive_entry.h>

#include "base/error.h"
#include "oci/layer_stream.h"

namespace builder::oci {

/// Replays the entries of an image's layers, bottom first, on a tree of names (no data, no
/// metadata) with UnpackLayer's rules: cleaned names ("..", NUL, overlong, empty), parents
/// resolved inside the root as ResolveDirInRoot does (a symlink climbing above the root, a
/// loop, a file used as a directory are refused), hard links to an existing non-directory
/// inside the root, whiteout names and what they resolve through, an entry replacing the root.
/// Device nodes pass, as the unpacker creates (or skips) them. Memory: one node per path.
class LayerEntryCheck {
 public:
  enum class Kind { kDir, kFile, kSymlink, kHardlink };

  LayerEntryCheck();
  ~LayerEntryCheck();
  LayerEntryCheck(const LayerEntryCheck&) = delete;
  LayerEntryCheck& operator=(const LayerEntryCheck&) = delete;

  /// The entries that follow belong to the next layer: whiteouts may hide what earlier layers
  /// made, never what this one made.
  void NextLayer();
  /// Applies one tar entry. kCorrupt naming the entry ("entry \"evil/x\": through symlink ...").
  [[nodiscard]] Result<void> Check(archive_entry* entry);
  /// The same from its fields: `link` is the symlink or hard-link target (ignored otherwise).
  [[nodiscard]] Result<void> Check(std::string_view name, Kind kind, std::string_view link = {});
  /// Entries checked so far, over every layer.
  std::uint64_t entries() const { return entries_; }

 /// A path of the tree (public only so the .cc's helpers can walk it).
  struct Node;

 private:
  Result<void> Apply(const std::string& raw, Kind kind, std::string_view link);
  Result<void> ApplyWhiteout(const std::string& parent, const std::string& base);
  Result<Node*> Resolve(std::string_view path, bool create);
  Node* NewNode(Node* parent, const std::string& name, Kind kind);

  std::unique_ptr<Node> root_;
  std::uint32_t layer_ = 0;
  std::uint64_t entries_ = 0;
  std::string last_name_;
};

/// Reads the decompressed tar of `reader` through `check` (one entry after the other, data
/// skipped), then drains it and verifies its digests. Errors: the check's, the tar's (kCorrupt,
/// "after entry ..."), or the digests' mismatch.
[[nodiscard]] Result<LayerDigests> CheckLayerEntries(LayerBlobReader& reader, LayerEntryCheck& check);

}  // namespace builder::oci
