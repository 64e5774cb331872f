// Applying a COPY/ADD --chmod (octal or symbolic) to a file's mode.
#pragma once

#include <sys/types.h>

#include "filespec/file_mode.h"

namespace builder::executor {

/// The permission bits `mode` (07777) becomes under `spec`; symbolic clauses follow chmod(1)
/// with no umask ("X" sets x only for directories or when some x bit is already set).
mode_t ApplyChmod(const filespec::ChmodSpec& spec, mode_t mode, bool is_dir);

}  // namespace builder::executor
