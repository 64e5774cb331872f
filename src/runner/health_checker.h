// The monitor's health checks: the container's HEALTHCHECK run through sandbox::ExecIn on a
// thread of its own while the container runs, its verdict in the state (ps shows "(healthy)").
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "runner/container_store.h"

namespace builder::runner {

/// Starts checking at construction, stops (and joins) at destruction.
class HealthChecker {
 public:
  HealthChecker(const ContainerStore& store, const ContainerSpec& spec, pid_t pid,
                std::uint64_t pid_start);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

 private:
  void Loop();
  /// One check: true when the test exited 0 within the timeout.
  bool CheckOnce();
  /// Sleeps up to ms; false when asked to stop meanwhile.
  bool Sleep(std::int64_t ms);

  const ContainerStore& store_;
  const ContainerSpec& spec_;
  pid_t pid_;
  std::uint64_t pid_start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace builder::runner
