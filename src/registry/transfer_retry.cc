// Backoff between attempts of a registry transfer.
#include "registry/transfer_retry.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

namespace builder::registry {

bool IsTransientStatus(long status) { return status == 408 || status == 429 || status >= 500; }

bool IsTransientError(const Error& error) {
  // A refused connection is no registry at all, not a dropped one: fail at once, naming it.
  return error.code() == ErrorCode::kIo && error.sys_errno() != ECONNREFUSED;
}

void PauseBeforeRetry(int failures, const HttpResponse* response) {
  auto delay = std::chrono::milliseconds(250) * (1 << std::clamp(failures - 1, 0, 5));
  if (response) {
    // A registry that says how long to wait knows best (bounded: it may be hostile).
    long after = std::strtol(response->Header("retry-after").c_str(), nullptr, 10);
    if (after > 0) delay = std::chrono::milliseconds(1000 * std::min(after, 30L));
  }
  std::this_thread::sleep_for(delay);
}

}  // namespace builder::registry
