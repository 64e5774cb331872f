// STOPSIGNAL values: signal numbers and names as moby/sys/signal.ParseSignal reads them.
#pragma once

#include <string_view>

#include "base/error.h"

namespace builder::parser {

/// Parses a signal: a non-zero decimal number ("9", Go Atoi syntax), or a Linux signal name in
/// any case with or without "SIG" ("SIGTERM", "term", "RTMIN+3"). Returns the signal number.
/// Error: "invalid signal: <value>".
[[nodiscard]] Result<int> ParseStopSignal(std::string_view value);

}  // namespace builder::parser
