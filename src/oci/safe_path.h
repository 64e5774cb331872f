// Confined filesystem access for layer extraction: entry-name validation and openat2-based
// opening/creation that cannot leave a root directory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace builder::oci {

/// Longest entry name accepted, in bytes (Linux PATH_MAX less the terminator).
inline constexpr std::size_t kMaxEntryPath = 4095;
/// Longest single component (NAME_MAX).
inline constexpr std::size_t kMaxEntryComponent = 255;

/// Turns a tar entry name into a clean relative path ("a/b"), or "." for the root itself.
/// A leading '/' is dropped: OCI and Docker treat absolute names as relative to the root.
/// Fails with kCorrupt when the name is empty, contains NUL, is longer than kMaxEntryPath, has
/// a component longer than kMaxEntryComponent, or climbs out of the root with "..".
[[nodiscard]] Result<std::string> CleanEntryName(std::string_view name);

/// openat2 resolution flags.
inline constexpr std::uint64_t kResolveInRoot = 0x10;       // RESOLVE_IN_ROOT
inline constexpr std::uint64_t kResolveNoMagicLinks = 0x02; // RESOLVE_NO_MAGICLINKS
inline constexpr std::uint64_t kResolveNoSymlinks = 0x04;   // RESOLVE_NO_SYMLINKS
inline constexpr std::uint64_t kResolveBeneath = 0x08;      // RESOLVE_BENEATH
/// The default: symlinks are followed but cannot leave the root, /proc magic links refused.
inline constexpr std::uint64_t kResolveConfined = kResolveInRoot | kResolveNoMagicLinks;

/// openat2(root_fd, path, flags|O_CLOEXEC, mode, resolve). `path` is relative to the root
/// ("." is the root). Errors are kIo with the errno (ELOOP for a refused symlink, EXDEV for an
/// attempted escape under RESOLVE_BENEATH).
[[nodiscard]] Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags,
                                          mode_t mode = 0,
                                          std::uint64_t resolve = kResolveConfined);

/// Opens the directory that contains `path` (O_PATH|O_DIRECTORY), creating missing directories
/// on the way with `dir_mode` when `create` is set. Every component is resolved with `resolve`
/// (pass kResolveNoSymlinks to refuse symlinked parents). `leaf` receives the last component.
[[nodiscard]] Result<UniqueFd> OpenParentInRoot(int root_fd, std::string_view path,
                                                std::string* leaf, bool create,
                                                mode_t dir_mode = 0755,
                                                std::uint64_t resolve = kResolveConfined);

/// mkdir -p inside the root; returns an O_PATH|O_DIRECTORY fd on the final directory.
[[nodiscard]] Result<UniqueFd> MkdirAllInRoot(int root_fd, std::string_view path,
                                              mode_t mode = 0755,
                                              std::uint64_t resolve = kResolveConfined);

}  // namespace builder::oci
