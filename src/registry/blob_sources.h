// BlobSources: which repository of a registry each blob was last pulled from or pushed to, so a
// push can mount it (cross-repository blob mount) instead of uploading it again.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "oci/digest.h"

namespace builder::registry {

/// The record for one registry host, kept at `<store root>/registry/<host>.json` as
/// {"sha256:...": "repository"}. Only a hint: a wrong or lost entry costs an upload, never
/// correctness (the registry refuses a mount it cannot do and the pusher uploads instead), so a
/// missing or unreadable file reads as empty and concurrent writers may drop each other's
/// entries. Written temp + fsync + rename.
class BlobSources {
 public:
  /// Loads the record of `host` ("127.0.0.1:5000") under store_root.
  static BlobSources Load(std::string_view store_root, std::string_view host);

  /// The repository the blob was last seen in, if any.
  std::optional<std::string> Find(const oci::Digest& digest) const;
  /// Notes that the blob is in `repository`.
  void Record(const oci::Digest& digest, std::string_view repository);
  /// Writes the record back when it changed.
  [[nodiscard]] Result<void> Save();

 private:
  std::string path_;
  std::map<std::string, std::string> entries_;
  bool dirty_ = false;
};

}  // namespace builder::registry
