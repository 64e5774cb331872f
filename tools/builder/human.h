// Docker-style human-readable sizes, durations and timestamps for command output.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace builder::cli {

/// Decimal units with `precision` significant digits, as docker's units.HumanSizeWithPrecision:
/// 3 for `images`/`history` ("4.26MB", "814B"), 4 for prune totals ("1.234GB").
std::string DockerSize(std::int64_t bytes, int precision = 3);
/// Binary units with 4 significant digits, as docker's units.BytesSize ("1.5MiB", "7.667GiB"):
/// `stats` memory figures.
std::string DockerBytesSize(std::uint64_t bytes);
/// docker's units.HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks",
/// "5 years".
std::string HumanDuration(std::int64_t seconds);
/// Seconds since the epoch of an RFC 3339 timestamp ("2020-01-01T10:00:00.5+02:00");
/// nullopt when malformed or empty.
std::optional<std::int64_t> ParseRfc3339(std::string_view text);
/// The same in nanoseconds, the fraction kept (saturating past the years int64 can hold).
std::optional<std::int64_t> ParseRfc3339Nanos(std::string_view text);
/// --since/--until as docker takes them (logs, events): nanoseconds since the epoch of a Unix
/// time (seconds, fraction allowed), an RFC 3339 time or date, or a Go duration counted back
/// from now ("10m", "1h30m"). kInvalidArgument naming `flag` otherwise.
[[nodiscard]] Result<std::int64_t> ParseTimeFlag(const std::string& flag, const std::string& text);
/// "2 hours ago" for an RFC 3339 creation time, "N/A" when it cannot be parsed.
std::string CreatedSince(std::string_view created, std::time_t now);
/// As Go's time.Time.String() in UTC: "2020-01-01 00:00:00 +0000 UTC"; "" when malformed.
std::string GoTimeString(std::string_view created);
/// s cut to max_width code points, the last one replaced by "…" when cut (docker's Ellipsis).
std::string Ellipsis(std::string_view s, std::size_t max_width);

}  // namespace builder::cli
