// The builder's own argv and environment strings, which the sandbox's init inherits and scrubs.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/error.h"

namespace builder::sandbox {

/// Where the kernel finds a process's command line and environment (/proc/<pid>/cmdline and
/// /proc/<pid>/environ read these ranges of its memory). The sandbox's init is a copy of the
/// builder, so without scrubbing a RUN could read the builder's argv (--build-arg values, host
/// paths) and its environment (tokens, credentials) through /proc/1.
struct InheritedStrings {
  uintptr_t arg_start = 0, arg_end = 0;
  uintptr_t env_start = 0, env_end = 0;
  bool operator==(const InheritedStrings&) const = default;
};

/// Fields 48-51 of a /proc/<pid>/stat line (the comm in parentheses may hold spaces and ')').
/// Errors: kParse when the line is truncated or a field is not a number, or a range is reversed.
[[nodiscard]] Result<InheritedStrings> ParseInheritedStrings(std::string_view stat_line);

/// The ranges of the calling process, from /proc/self/stat.
[[nodiscard]] Result<InheritedStrings> FindInheritedStrings();

/// Zeroes both ranges in the calling process's memory and writes `title` (NUL-terminated,
/// truncated to fit) at the start of the argv range, so /proc/<pid>/cmdline reads `title`
/// followed by NULs and /proc/<pid>/environ only NULs. Async-signal-safe: for the clone3 child,
/// never for the builder itself (its argv and environ would be gone). Empty ranges are skipped.
void ScrubInheritedStrings(const InheritedStrings& strings, const char* title);

}  // namespace builder::sandbox
