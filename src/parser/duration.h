// Go's time.ParseDuration, for HEALTHCHECK's --interval, --timeout, --start-period and
// --start-interval.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/error.h"

namespace builder::parser {

/// Nanoseconds, as Go's time.Duration.
using DurationNs = std::int64_t;

inline constexpr DurationNs kNanosecond = 1;
inline constexpr DurationNs kMicrosecond = 1000 * kNanosecond;
inline constexpr DurationNs kMillisecond = 1000 * kMicrosecond;
inline constexpr DurationNs kSecond = 1000 * kMillisecond;
inline constexpr DurationNs kMinute = 60 * kSecond;
inline constexpr DurationNs kHour = 60 * kMinute;

/// Parses a Go duration: an optional sign, then one or more decimal numbers (fraction allowed),
/// each with a unit among ns, us, µs, μs, ms, s, m, h ("1h30m", "1.5s", "-2ms"); "0" alone needs
/// no unit. Errors carry Go's wording: `time: invalid duration "x"`, `time: missing unit in
/// duration "5"`, `time: unknown unit "d" in duration "5d"`; overflow past ±292 years is invalid.
[[nodiscard]] Result<DurationNs> ParseGoDuration(std::string_view text);

/// Go's Duration.String(): "1h30m0s", "1.5s", "2ms", "0s".
std::string FormatGoDuration(DurationNs d);

}  // namespace builder::parser
