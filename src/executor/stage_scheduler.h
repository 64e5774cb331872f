// Running the stages of a build as a DAG: each once the stage it builds on is done, waiting
// mid-way for the stages its later steps read, at most `jobs` working at a time, the first
// failure stopping the rest.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "base/error.h"
#include "executor/build_cancel.h"

namespace builder::executor {

/// One build's stage graph in motion. Nodes are numbered in a topological order (a node waits
/// only for lower numbers). Each node runs on a thread of its own once its start dependencies
/// succeeded, and holds one of `jobs` slots while it works; slots go to the lowest-numbered
/// node asking. With jobs == 1 a node also waits for every lower-numbered one that has not
/// finished (or is in WaitFor), so the nodes run one after another in index order.
class StageScheduler {
 public:
  /// start_deps[i]: the nodes i cannot start without (a stage's FROM stage). jobs 0 means 1.
  /// `cancel` (may be null) is cancelled on the first failure.
  StageScheduler(std::vector<std::vector<std::size_t>> start_deps, std::size_t jobs,
                 BuildCancel* cancel);

  /// Runs every node with run(i); returns once none runs. After a failure nothing more
  /// starts, the running nodes are waited for (they see `cancel`), and the first error is
  /// returned (later ones are the cancellation's echo and are dropped). Errors: kInternal for
  /// a start dependency that is not a lower-numbered node. Call once.
  [[nodiscard]] Result<void> Run(const std::function<Result<void>(std::size_t)>& run);

  /// From inside run(i): blocks until node `other` (< i) succeeded, handing i's slot back
  /// meanwhile (so `other` can get one even with jobs == 1). Errors: kCancelled when `other`
  /// failed or the build stopped.
  [[nodiscard]] Result<void> WaitFor(std::size_t other);

 private:
  enum class NodeState { kWaiting, kStarted, kDone, kFailed };
  bool AcquireSlot(std::unique_lock<std::mutex>& lock, std::size_t node);  // false: stopped
  void ReleaseSlot(std::size_t node);

  std::vector<std::vector<std::size_t>> deps_;
  std::size_t jobs_;
  BuildCancel* cancel_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<NodeState> state_;
  std::vector<bool> asking_;   // nodes waiting for a slot
  std::vector<bool> holding_;  // nodes holding one
  std::vector<bool> in_wait_;  // nodes in WaitFor
  std::size_t working_ = 0;   // slots taken
  std::size_t live_ = 0;      // threads not yet finished
  std::optional<Error> first_error_;
};

}  // namespace builder::executor
