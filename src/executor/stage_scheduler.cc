// Running the stages of a build as a DAG on a bounded number of working threads.
#include "executor/stage_scheduler.h"

#include <thread>

namespace builder::executor {
namespace {

// The node the current thread runs (WaitFor asks for a slot in its name).
thread_local std::size_t current_node = 0;

}  // namespace

StageScheduler::StageScheduler(std::vector<std::vector<std::size_t>> start_deps, std::size_t jobs,
                               BuildCancel* cancel)
    : deps_(std::move(start_deps)),
      jobs_(jobs ? jobs : 1),
      cancel_(cancel),
      state_(deps_.size(), NodeState::kWaiting),
      asking_(deps_.size(), false),
      holding_(deps_.size(), false),
      in_wait_(deps_.size(), false) {}

bool StageScheduler::AcquireSlot(std::unique_lock<std::mutex>& lock, std::size_t node) {
  asking_[node] = true;
  changed_.wait(lock, [&] {
    if (first_error_) return true;
    if (working_ >= jobs_) return false;
    for (std::size_t j = 0; j < node; ++j) {
      if (asking_[j]) return false;  // a lower-numbered node goes first
      // Sequential: index order, as a build before stages ran in parallel.
      bool unfinished = state_[j] == NodeState::kWaiting || state_[j] == NodeState::kStarted;
      if (jobs_ == 1 && unfinished && !in_wait_[j]) return false;
    }
    return true;
  });
  asking_[node] = false;
  changed_.notify_all();  // the next asker may be eligible now
  if (first_error_) return false;
  ++working_;
  holding_[node] = true;
  return true;
}

void StageScheduler::ReleaseSlot(std::size_t node) {
  if (!holding_[node]) return;
  holding_[node] = false;
  --working_;
  changed_.notify_all();
}

Result<void> StageScheduler::WaitFor(std::size_t other) {
  std::unique_lock lock(mu_);
  if (other >= state_.size() || other >= current_node)
    return Fail(ErrorCode::kInternal, "stage graph: a stage waits for a later one");
  ReleaseSlot(current_node);
  in_wait_[current_node] = true;
  changed_.notify_all();
  changed_.wait(lock, [&] {
    return first_error_ || state_[other] == NodeState::kDone || state_[other] == NodeState::kFailed;
  });
  in_wait_[current_node] = false;
  if (state_[other] != NodeState::kDone || !AcquireSlot(lock, current_node))
    return Fail(ErrorCode::kCancelled, "build canceled");
  return {};
}

Result<void> StageScheduler::Run(const std::function<Result<void>(std::size_t)>& run) {
  const std::size_t n = deps_.size();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d : deps_[i])
      if (d >= i) return Fail(ErrorCode::kInternal, "stage graph: a stage starts after a later one");

  std::vector<std::thread> threads;
  std::unique_lock lock(mu_);
  auto startable = [&](std::size_t i) {
    if (state_[i] != NodeState::kWaiting) return false;
    for (std::size_t d : deps_[i])
      if (state_[d] != NodeState::kDone) return false;
    return true;
  };
  while (true) {
    if (!first_error_) {
      for (std::size_t i = 0; i < n; ++i) {
        if (!startable(i)) continue;
        state_[i] = NodeState::kStarted;
        ++live_;
        threads.emplace_back([this, i, &run] {
          current_node = i;
          bool started;
          {
            std::unique_lock slot_lock(mu_);
            started = AcquireSlot(slot_lock, i);
          }
          Result<void> result = started ? run(i) : Fail(ErrorCode::kCancelled, "build canceled");
          std::lock_guard done(mu_);
          ReleaseSlot(i);
          state_[i] = result ? NodeState::kDone : NodeState::kFailed;
          if (!result && !first_error_) {
            first_error_ = std::move(result.error());
            if (cancel_) cancel_->Cancel();
          }
          --live_;
          changed_.notify_all();
        });
      }
    }
    std::size_t finished = 0;
    for (NodeState s : state_) finished += s == NodeState::kDone || s == NodeState::kFailed;
    if (live_ == 0 && (first_error_ || finished == n)) break;
    changed_.wait(lock);
  }
  lock.unlock();
  for (std::thread& t : threads) t.join();
  if (first_error_) return Fail(std::move(*first_error_));
  return {};
}

}  // namespace builder::executor
