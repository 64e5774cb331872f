// The retry policy every registry transfer shares: which failures are worth another attempt
// and how long to wait before it.
#pragma once

#include "base/error.h"
#include "registry/registry_transport.h"

namespace builder::registry {

/// Attempts per request (or per upload step) before a transient failure is reported.
inline constexpr int kTransferAttempts = 6;

/// HTTP statuses worth another attempt: 408, 429 and 5xx.
bool IsTransientStatus(long status);
/// Errors worth another attempt: kIo (dropped or timed-out connections, and the client's
/// wording of transient statuses), except refused connections (nothing listens: retrying only
/// delays the error).
bool IsTransientError(const Error& error);

/// Sleeps before attempt `failures + 1`: 250 ms doubling up to 8 s, or the response's
/// Retry-After seconds (at most 30) when it gives one.
void PauseBeforeRetry(int failures, const HttpResponse* response = nullptr);

}  // namespace builder::registry
