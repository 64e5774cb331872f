// Running the stages of a build as a DAG on a bounded number of threads.
#include "executor/stage_scheduler.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace builder::executor {
namespace {

enum class NodeState { kWaiting, kRunning, kDone, kFailed };

// Whether the graph has a cycle (Kahn's algorithm leaves nodes over).
bool HasCycle(const std::vector<std::vector<std::size_t>>& deps) {
  const std::size_t n = deps.size();
  std::vector<std::size_t> missing(n);
  std::vector<std::vector<std::size_t>> users(n);
  for (std::size_t i = 0; i < n; ++i) {
    missing[i] = deps[i].size();
    for (std::size_t d : deps[i]) users[d].push_back(i);
  }
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < n; ++i)
    if (missing[i] == 0) ready.push_back(i);
  std::size_t seen = 0;
  while (!ready.empty()) {
    std::size_t i = ready.back();
    ready.pop_back();
    ++seen;
    for (std::size_t u : users[i])
      if (--missing[u] == 0) ready.push_back(u);
  }
  return seen != n;
}

}  // namespace

std::vector<std::vector<std::size_t>> StageDependencies(const planner::BuildPlan& plan) {
  std::vector<std::vector<std::size_t>> out;
  for (const planner::Plan& stage : plan.stages) {
    std::set<std::size_t> deps;
    auto add = [&](int index) {
      if (index >= 0) deps.insert(static_cast<std::size_t>(index));
    };
    add(stage.base_stage);
    for (const planner::Step& step : stage.steps) {
      if (const auto* copy = std::get_if<planner::CopyStep>(&step.action)) add(copy->from_stage);
      if (const auto* run = std::get_if<planner::RunStep>(&step.action))
        for (const planner::RunMount& m : run->mounts) add(m.from_stage);
    }
    out.emplace_back(deps.begin(), deps.end());
  }
  return out;
}

Result<void> RunDag(const std::vector<std::vector<std::size_t>>& deps, std::size_t jobs,
                    const std::function<Result<void>(std::size_t)>& run, BuildCancel* cancel) {
  const std::size_t n = deps.size();
  for (const auto& d : deps)
    for (std::size_t i : d)
      if (i >= n) return Fail(ErrorCode::kInternal, "stage graph: dependency out of range");
  if (HasCycle(deps)) return Fail(ErrorCode::kInternal, "stage graph: cycle");
  if (jobs == 0) jobs = 1;

  std::mutex mu;
  std::condition_variable changed;
  std::vector<NodeState> state(n, NodeState::kWaiting);
  std::size_t running = 0, finished = 0;
  std::optional<Error> first_error;
  std::vector<std::thread> threads;

  auto ready = [&](std::size_t i) {
    if (state[i] != NodeState::kWaiting) return false;
    for (std::size_t d : deps[i])
      if (state[d] != NodeState::kDone) return false;
    return true;
  };
  std::unique_lock lock(mu);
  while (true) {
    if (!first_error) {
      for (std::size_t i = 0; i < n && running < jobs; ++i) {
        if (!ready(i)) continue;
        state[i] = NodeState::kRunning;
        ++running;
        threads.emplace_back([&, i] {
          Result<void> result = run(i);
          std::lock_guard done(mu);
          state[i] = result ? NodeState::kDone : NodeState::kFailed;
          if (!result && !first_error) {
            first_error = std::move(result.error());
            if (cancel) cancel->Cancel();
          }
          --running;
          ++finished;
          changed.notify_all();
        });
      }
    }
    // Done when nothing runs and nothing more can start (all finished, or a failure).
    if (running == 0 && (first_error || finished == n)) break;
    changed.wait(lock);
  }
  lock.unlock();
  for (std::thread& t : threads) t.join();
  if (first_error) return Fail(std::move(*first_error));
  return {};
}

}  // namespace builder::executor
