// Attaching a caller to a container's output: follows its log to the caller's stdout/stderr,
// proxies the caller's signals to it, and returns its exit code.
#pragma once

#include <string>

#include "base/error.h"
#include "runner/container_store.h"
#include "runner/monitor.h"

namespace builder::runner {

struct AttachOptions {
  int stdout_fd = 1;
  int stderr_fd = 2;
  bool sig_proxy = true;  ///< SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2 go to the container
  bool from_end = false;  ///< skip the output already logged (attach to a running container)
};

/// Streams until the container's run ends. With `started` (the caller launched it) the exit code
/// comes from the monitor's report, so --rm cannot remove it first; otherwise from the state.
[[nodiscard]] Result<int> AttachContainer(const ContainerStore& store, const std::string& id,
                                          StartedContainer* started, const AttachOptions& options);

}  // namespace builder::runner
