// BuildCancel: the cancellation flag of a build and the sandboxes it kills.
#include "executor/build_cancel.h"

#include <signal.h>

namespace builder::executor {

void BuildCancel::Cancel() {
  std::lock_guard lock(mu_);
  cancelled_.store(true, std::memory_order_release);
  for (pid_t pid : running_) (void)::kill(pid, SIGKILL);
}

bool BuildCancel::Register(pid_t init) {
  std::lock_guard lock(mu_);
  if (cancelled()) return false;
  running_.insert(init);
  return true;
}

void BuildCancel::Unregister(pid_t init) {
  std::lock_guard lock(mu_);
  running_.erase(init);
}

}  // namespace builder::executor
