// Compiled seccomp programs kept between runs: libseccomp's compile costs milliseconds, more
// than the rest of an `exec` or a `run --rm true`.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "sandbox/seccomp_filter.h"

namespace builder::sandbox {

/// The program for `key` (everything it depends on besides this binary and libseccomp, which
/// the cache adds) from `dir`, or build() compiled and then kept there. A kept program is
/// checked against the digest stored with it; a missing, damaged or unwritable one is rebuilt,
/// never trusted. An empty `dir` only builds.
[[nodiscard]] Result<SeccompProgram> CachedSeccompProgram(
    const std::string& dir, const std::string& key, const std::function<Result<SeccompProgram>()>& build);

/// The file format, exposed for tests: a header line with the payload's sha256, then per filter
/// its instruction count (uint32) and instructions.
std::string SerializeSeccompProgram(const SeccompProgram& program);
/// nullopt for anything that is not exactly what SerializeSeccompProgram wrote.
std::optional<SeccompProgram> ParseSeccompProgram(std::string_view data);

}  // namespace builder::sandbox
