// Health checks on a monitor thread.
#include "runner/health_checker.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <chrono>

#include "base/path.h"
#include "base/unique_fd.h"
#include "runner/clock.h"
#include "runner/container_cgroup.h"
#include "runner/container_sandbox.h"
#include "runner/event_log.h"
#include "sandbox/sandbox_exec.h"

namespace builder::runner {
HealthChecker::HealthChecker(const ContainerStore& store, const ContainerSpec& spec, pid_t pid,
                             std::uint64_t pid_start)
    : store_(store), spec_(spec), pid_(pid), pid_start_(pid_start) {
  if (!spec_.health) return;
  (void)store_.UpdateState(spec_.id, [](ContainerState& s) {
    s.health = "starting";
    s.health_failing_streak = 0;
  });
  thread_ = std::thread([this] { Loop(); });
}

HealthChecker::~HealthChecker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool HealthChecker::Sleep(std::int64_t ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !wake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stop_; });
}

bool HealthChecker::CheckOnce() {
  const HealthSpec& h = *spec_.health;
  ExecOptions options;
  if (h.test.front() == "CMD-SHELL" && h.test.size() > 1) {
    options.argv = {"/bin/sh", "-c", h.test[1]};
  } else if (h.test.front() == "CMD") {
    options.argv.assign(h.test.begin() + 1, h.test.end());
  } else {
    options.argv = h.test;
  }
  auto exec_spec = ExecSpecFor(store_, spec_, options);
  if (!exec_spec) return false;
  exec_spec->expected_start_time = pid_start_;
  if (!InOwnCgroup(pid_, spec_.id)) exec_spec->cgroup_name.clear();  // rootless: none to join
  auto proc = sandbox::ExecIn(pid_, *exec_spec);
  if (!proc) return false;
  // The test gets timeout_ns; then it is killed and counts as failed.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, proc->pid(), 0)));
  bool timed_out = false;
  if (pidfd) {
    struct pollfd p = {pidfd.get(), POLLIN, 0};
    timed_out = ::poll(&p, 1, static_cast<int>(h.timeout_ns / 1000000)) == 0;
    if (timed_out) proc->Signal(SIGKILL);
  }
  auto status = proc->Wait();
  return !timed_out && status && status->ok();
}

void HealthChecker::Loop() {
  const HealthSpec& h = *spec_.health;
  const std::int64_t started = MonotonicMs();
  int streak = 0;
  while (Sleep(h.interval_ns / 1000000)) {
    // docker skips checks while paused: an exec would join the frozen cgroup and hang.
    if (auto now = store_.LoadState(spec_.id); now && now->status == Status::kPaused) continue;
    const bool ok = CheckOnce();
    const bool in_start_period = MonotonicMs() - started < h.start_period_ns / 1000000;
    if (ok) {
      streak = 0;
    } else if (!in_start_period) {
      ++streak;
    }
    std::string before, after;
    (void)store_.UpdateState(spec_.id, [&](ContainerState& s) {
      before = s.health;
      s.health_failing_streak = streak;
      if (ok) {
        s.health = "healthy";
      } else if (streak >= h.retries) {
        s.health = "unhealthy";
      }
      after = s.health;
    });
    if (after != before && (after == "healthy" || after == "unhealthy")) {
      RecordEvent(DirName(store_.dir()), ContainerEvent(spec_, "health_status: " + after));
    }
  }
}

}  // namespace builder::runner
