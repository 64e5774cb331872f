// Monotonic milliseconds for the runner's timeouts and backoffs.
#pragma once

#include <time.h>

#include <cstdint>

namespace builder::runner {

inline std::int64_t MonotonicMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace builder::runner
