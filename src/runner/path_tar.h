// PathTar: one file or directory tree written as a tar stream under a chosen name (cp's
// producer side, for both directions).
#pragma once

#include <string>

#include "base/error.h"
#include "oci/byte_stream.h"

namespace builder::runner {

/// Writes the entry `name` of the directory `dir_fd` (borrowed) to `sink` as a PAX tar whose
/// first entry is called `top` ("top/" for a directory, followed by its contents as
/// "top/child", each directory's names sorted). With an empty `top` only a directory's
/// contents are written ("child", ...): cp's "SRC/." form. `name` may be "." for `dir_fd`
/// itself. Its final component is followed only when `follow` is set; nothing below it is
/// ever followed (symlinks are stored as symlinks, each open is O_NOFOLLOW relative to its
/// parent's fd), so the walk cannot leave the tree. Owners are recorded as numeric ids, modes
/// and whole-second mtimes as found; hard links are stored as separate files; sockets are
/// skipped; a name starting with ".wh." (a whiteout to the unpacking side) fails with
/// kUnsupported. File contents stream through a fixed buffer. The tar is ended; the sink is not
/// closed. Errors: kIo naming the path that could not be read.
[[nodiscard]] Result<void> WritePathTar(int dir_fd, const std::string& name, bool follow,
                                        const std::string& top, oci::ByteSink& sink);

}  // namespace builder::runner
