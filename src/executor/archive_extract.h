// ADD's local archive extraction (tar, plain or gzip/bzip2/xz/zstd compressed).
#pragma once

#include <sys/types.h>

#include <string>

#include "base/error.h"

namespace builder::executor {

/// True when the file is a tar archive, compressed or not (what ADD auto-extracts).
[[nodiscard]] Result<bool> IsArchive(const std::string& path);

/// Extracts into dest_dir (host path, existing). Entries may not leave dest_dir (".." and
/// absolute names refused, symlinks never followed on the way). Owners come from the archive
/// unless chown is set.
[[nodiscard]] Result<void> ExtractArchive(const std::string& path, const std::string& dest_dir,
                                          bool chown, uid_t uid, gid_t gid);

}  // namespace builder::executor
