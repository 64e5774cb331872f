// BuildCancel: how a failing step stops the rest of a parallel build — a flag every stage
// checks between steps, and the running sandboxes, killed at once.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <mutex>
#include <set>

namespace builder::executor {

/// Shared by the stages of one build; every member may be called from any thread.
class BuildCancel {
 public:
  /// Sets the flag and SIGKILLs every registered sandbox init (its pid namespace goes with
  /// it). Idempotent.
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  /// A sandbox that has started. Registered pids are not reaped before Unregister, so a kill
  /// never hits a reused pid. Returns false (and registers nothing) when already cancelled:
  /// the caller kills its sandbox itself.
  bool Register(pid_t init);
  void Unregister(pid_t init);

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  std::set<pid_t> running_;
};

}  // namespace builder::executor
