// Parsing docker's mount flags: -v SRC:DST[:OPTS], --mount k=v,..., --tmpfs DST[:OPTS].
#pragma once

#include <string>

#include "base/error.h"
#include "runner/container_spec.h"

namespace builder::runner {

/// -v: an absolute SRC is a bind mount (a missing host path is created later, as docker does),
/// anything else a named volume; OPTS "ro", "rw" (others are ignored as docker's z/Z are).
[[nodiscard]] Result<MountSpec> ParseVolumeFlag(std::string_view text);

/// --mount type=bind|volume|tmpfs,source|src=..,target|destination|dst=..,readonly|ro[=true],
/// tmpfs-size=..,tmpfs-mode=..
[[nodiscard]] Result<MountSpec> ParseMountFlag(std::string_view text);

/// --tmpfs DST[:size=64m,mode=1777,...]
[[nodiscard]] Result<MountSpec> ParseTmpfsFlag(std::string_view text);

/// Makes a bind source ready: a missing one is created as a directory for -v
/// (create_missing) and is an error for --mount ("bind source path does not exist: ...").
[[nodiscard]] Result<void> PrepareBindSource(const MountSpec& mount, bool create_missing);

}  // namespace builder::runner
