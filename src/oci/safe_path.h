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

/// Refuses (kCorrupt) a clean parent path ("." or "a/b") one of whose components is a whiteout
/// (".wh.*"): nothing may lie inside a whiteout entry. The unpacker and the import-time layer
/// check apply the same rule.
[[nodiscard]] Result<void> CheckNotInsideWhiteout(std::string_view parent);

/// openat2 resolution flags.
inline constexpr std::uint64_t kResolveInRoot = 0x10;       // RESOLVE_IN_ROOT
inline constexpr std::uint64_t kResolveNoMagicLinks = 0x02; // RESOLVE_NO_MAGICLINKS
inline constexpr std::uint64_t kResolveNoSymlinks = 0x04;   // RESOLVE_NO_SYMLINKS
inline constexpr std::uint64_t kResolveBeneath = 0x08;      // RESOLVE_BENEATH
/// Symlinks are followed but cannot leave the root, /proc magic links refused.
inline constexpr std::uint64_t kResolveConfined = kResolveInRoot | kResolveNoMagicLinks;

/// openat2(root_fd, path, flags|O_CLOEXEC, mode, resolve). `path` is relative to the root
/// ("." is the root). Errors are kIo with the errno (ELOOP for a refused symlink, EXDEV for an
/// attempted escape under RESOLVE_BENEATH).
[[nodiscard]] Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags,
                                          mode_t mode = 0,
                                          std::uint64_t resolve = kResolveConfined);

/// Symlinks followed while resolving one path before it counts as a loop (the kernel's limit).
inline constexpr int kMaxSymlinkFollows = 40;

/// Whether a symlink target, read lexically from a directory `depth` levels below the root
/// (from the root when absolute), climbs above the root with "..".
bool ClimbsAbove(std::string_view target, std::size_t depth);
/// kCorrupt "through symlink \"<link>\" (-> \"<target>\") which points outside the root".
std::unexpected<Error> PointsOutside(std::string_view link, std::string_view target);

/// A directory found by ResolveDirInRoot.
struct ResolvedDir {
  UniqueFd fd;       ///< O_PATH|O_DIRECTORY, opened with RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS
  std::string path;  ///< where it really is: relative to the root, symlink-free ("." = root)
  std::string name;  ///< the path as asked, cleaned and relative ("." = root)
};

/// Resolves the directory `path` inside the root the way the image's own processes will see it
/// (containerd's RootPath semantics): symlinks are followed, an absolute target means the root.
/// `path` is taken relative to the root even when it starts with '/'.
///
/// The walk goes one component at a time (openat2 O_PATH|O_NOFOLLOW, nothing crossed
/// implicitly) and refuses a symlink whose target climbs above the root with "..": either read
/// lexically from the link's own directory (absolute targets from the root), or while actually
/// following it (a ".." taken at the root, which RESOLVE_IN_ROOT would silently clamp). Links to
/// links are checked at each step. Then `path` is opened again with RESOLVE_IN_ROOT|
/// RESOLVE_NO_MAGICLINKS and must be the directory the walk found, so even a mistake in the walk
/// cannot leave the root.
///
/// Missing directories are created with `mode` when `create` is set, including below a dangling
/// symlink (var/run -> /run creates run/).
/// Errors: kCorrupt for a symlink pointing outside the root ("through symlink \"a/l\" which
/// points outside the root"), for more than kMaxSymlinkFollows links (errno ELOOP), for a
/// /proc magic link (ELOOP) and for a `path` that itself climbs out with "..". Otherwise the
/// errno error of the failing call: ENOENT for a missing component when !create, ENOTDIR when a
/// component is not a directory.
///
/// `near`, when given, is an earlier result whose name is `path` or a leading part of it: the
/// walk resumes from there (a deep tree costs one step per directory, not its depth). The caller
/// vouches that nothing on its way was removed or replaced since; if that is wrong, the final
/// kernel check fails the call instead of resolving elsewhere.
[[nodiscard]] Result<ResolvedDir> ResolveDirInRoot(int root_fd, std::string_view path,
                                                   bool create, mode_t mode = 0755,
                                                   const ResolvedDir* near = nullptr);

}  // namespace builder::oci
