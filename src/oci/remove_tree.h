// RemoveTree: deletes a directory tree that unpacked layers may have made unwritable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace builder::oci {

/// Removes `path` and everything under it (like `chmod -R u+rwx; rm -rf`), without following
/// symlinks and without recursion (trees from hostile layers can be thousands of levels deep).
/// Directories are made writable by their owner before their entries are removed, so read-only
/// directories from image layers do not stop an unprivileged caller. A missing path is not an
/// error. Returns the bytes freed (the st_size of every non-directory removed).
[[nodiscard]] Result<std::uint64_t> RemoveTree(const std::string& path);

/// RemoveTree of `dir`/`name`, where name must be one plain entry name (not "", ".", "..",
/// nothing with '/'): kInvalidArgument "bad <what> name ..." otherwise.
[[nodiscard]] Result<std::uint64_t> RemoveEntry(const std::string& dir, const std::string& name,
                                                std::string_view what);

}  // namespace builder::oci
