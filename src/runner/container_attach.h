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
  /// Where in the log to begin when not given a StartedContainer (whose log is used): 0 =
  /// everything, LogFollower::kEnd = new output only.
  std::int64_t log_offset = 0;
  /// Forwards this fd (-i) to the container's stdin through the monitor's attach socket; EOF
  /// on it closes the container's stdin. -1: no input.
  int stdin_fd = -1;
  /// -t: the caller's terminal goes raw (restored on every return), window size changes are
  /// sent along, and ctrl-p ctrl-q detaches (the container keeps running; exit code 0).
  bool tty = false;
};

/// The window size of the terminal on fd; false when fd is no terminal (or reports 0 rows).
bool TerminalSize(int fd, unsigned short* rows, unsigned short* cols);

/// Streams until the container's run ends. With `started` (the caller launched it) the exit code
/// comes from the monitor's report, so --rm cannot remove it first; otherwise from the state.
[[nodiscard]] Result<int> AttachContainer(const ContainerStore& store, const std::string& id,
                                          StartedContainer* started, const AttachOptions& options);

}  // namespace builder::runner
