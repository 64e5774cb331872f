// Lexical path helpers and small whole-file I/O (atomic writes for the store).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace builder {

/// Lexical cleaning as Go's path.Clean: collapses "//", ".", "..", drops a trailing '/'.
/// "" becomes "."; ".." above the root of an absolute path is dropped.
std::string CleanPath(std::string_view path);
/// Joins and cleans: JoinPath("a/", "../b") == "b". An absolute rhs does not reset (Go semantics).
std::string JoinPath(std::string_view lhs, std::string_view rhs);
/// The last element ("a/b/" -> "b"), "." for "", "/" for "/".
std::string BaseName(std::string_view path);
/// Everything before the last element, cleaned ("a/b" -> "a", "b" -> ".").
std::string DirName(std::string_view path);
/// True when the cleaned relative path stays inside its root (no leading "..").
bool IsLocalPath(std::string_view path);

/// Reads a whole (small) file; callers that handle layers or contexts must stream instead.
[[nodiscard]] Result<std::string> ReadFile(const std::string& path);
/// Writes via a temp file in the same directory, fsync, rename, fsync of the directory:
/// readers see the old content or the new, never a torn file.
[[nodiscard]] Result<void> WriteFileAtomic(const std::string& path, std::string_view content,
                                           unsigned mode = 0644);
/// The same without the fsyncs: a process's crash never leaves it torn, a machine's crash may
/// lose it. For runtime state (a container's state, its hosts file) that a reboot makes moot.
[[nodiscard]] Result<void> WriteRuntimeFile(const std::string& path, std::string_view content,
                                            unsigned mode = 0644);
/// The entry names of directory `dir` without "." and "..", sorted bytewise.
/// Errors: opendir's errno (ENOENT for a missing dir) or readdir's.
[[nodiscard]] Result<std::vector<std::string>> ListDirectory(const std::string& dir);
/// The same for an open directory `dir_fd` (taken over and closed); `what` names it in errors.
[[nodiscard]] Result<std::vector<std::string>> ListDirectory(UniqueFd dir_fd,
                                                             const std::string& what);
/// mkdir -p.
[[nodiscard]] Result<void> MakeDirs(const std::string& path, unsigned mode = 0755);

}  // namespace builder
