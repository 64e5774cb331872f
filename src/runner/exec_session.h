// `exec` in a running container: the process started through sandbox::ExecIn as a child of the
// caller, its stdio the caller's (or a pty pumped to the caller's terminal), its exit code
// returned.
#pragma once

#include <string>

#include "base/error.h"
#include "runner/container_sandbox.h"
#include "runner/container_store.h"

namespace builder::runner {

struct ExecRequest {
  ExecOptions options;
  bool interactive = false;  ///< -i: the caller's stdin goes to the process
  bool detach = false;       ///< -d: start it and return at once (it runs on, reaped by a helper)
};

/// Runs the request in container `id` (which must be running: kInvalidArgument "container X is
/// not running"). Returns the process's exit code (128+n on signal n; 0 at once with detach).
/// Start errors as sandbox::ExecIn reports them (StartFailureExitCode maps them to 126/127).
[[nodiscard]] Result<int> ExecInContainer(const ContainerStore& store, const std::string& id,
                                          ExecRequest request);

}  // namespace builder::runner
