// Running the stages of a build as a DAG: each once the stages it reads are done, at most
// `jobs` at a time, the first failure stopping the rest.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "base/error.h"
#include "executor/build_cancel.h"
#include "planner/step.h"

namespace builder::executor {

/// Runs run(i) for every node i of the graph (deps[i]: the nodes i waits for) on its own
/// thread once every one of deps[i] succeeded, at most `jobs` (>= 1) at once; ready nodes start
/// in index order, so jobs == 1 runs them in index order. When a run fails, `cancel` (may be
/// null) is cancelled, nothing more starts, the running nodes are waited for, and the first
/// error is returned (later errors are the cancellation's echo and are dropped). Errors:
/// kInternal for a dependency that is out of range or a cycle.
/// The stages each stage of plan reads (by plan index): its FROM stage, COPY --from stages and
/// RUN --mount from= stages. Duplicates removed, ascending.
std::vector<std::vector<std::size_t>> StageDependencies(const planner::BuildPlan& plan);

[[nodiscard]] Result<void> RunDag(const std::vector<std::vector<std::size_t>>& deps, std::size_t jobs,
                                  const std::function<Result<void>(std::size_t)>& run,
                                  BuildCancel* cancel);

}  // namespace builder::executor
