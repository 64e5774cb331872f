// Deterministic layer tar from a directory (a snapshot diff or an overlayfs upper dir).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "oci/byte_stream.h"

namespace builder::oci {

/// One range of an id translation: host ids [host_id, host_id + size) are recorded in the tar
/// as container ids [container_id, container_id + size).
struct IdRange {
  std::uint32_t container_id = 0;
  std::uint32_t host_id = 0;
  std::uint32_t size = 0;
};

struct LayerWriteOptions {
  /// The source is an overlayfs upper dir: character devices 0/0 become ".wh.<name>" empty
  /// files and directories marked opaque (trusted.overlay.opaque=y or user.overlay.opaque=y)
  /// get a "<dir>/.wh..wh..opq" entry.
  bool overlay_upper = false;
  /// SOURCE_DATE_EPOCH: mtimes later than this are clamped to it.
  std::optional<std::int64_t> source_date_epoch;
  /// A rootless build's files carry host ids (container root is the user); the tar records the
  /// container ids they map to, and 65534 (the kernel's overflow id) for an id in no range.
  /// Empty: ids are recorded as they are on disk (host root, whose map is the identity).
  std::vector<IdRange> uid_map, gid_map;
};

struct LayerWriteStats {
  std::uint64_t entries = 0;     ///< tar entries written (whiteouts included)
  std::uint64_t file_bytes = 0;  ///< regular-file content bytes
};

/// Writes the tree under `source_dir_fd` (borrowed; the root itself is not an entry) as a PAX
/// tar to `sink`; the caller closes the sink (e.g. LayerBlobWriter::Finish).
///
/// The output depends only on the tree: entries in bytewise order of their tar names
/// (directories as "name/", so each directory precedes its contents), numeric uid/gid with
/// empty uname/gname, mtime in whole seconds and no atime/ctime, xattrs sorted by name
/// (trusted.overlay.*, user.overlay.* and security.selinux dropped), a second path of an
/// inode as a hard link to the first in tar order. Symlinks are never followed; file
/// contents are streamed through a fixed buffer. The walk is iterative and holds one
/// directory fd per level of depth. Fails with kIo when the tree cannot be read, kCorrupt
/// when a file changes size while it is read, kUnsupported for sockets.
[[nodiscard]] Result<LayerWriteStats> WriteLayer(int source_dir_fd,
                                                 const LayerWriteOptions& options,
                                                 ByteSink& sink);
/// Same, opening `source_dir` (which may not be a symlink).
[[nodiscard]] Result<LayerWriteStats> WriteLayer(const std::string& source_dir,
                                                 const LayerWriteOptions& options,
                                                 ByteSink& sink);

}  // namespace builder::oci
