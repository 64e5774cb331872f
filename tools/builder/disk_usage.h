// Disk space of a directory tree, as `du` counts it (allocated blocks), for info and system df.
#pragma once

#include <cstdint>
#include <string>

namespace builder::cli {

/// Bytes allocated to the regular files under `root` (not following symlinks or other mounts'
/// contents beyond what nftw walks); 0 for a missing tree.
std::int64_t DiskUsage(const std::string& root);

}  // namespace builder::cli
