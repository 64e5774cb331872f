// The per-container monitor: builder re-executed and detached (as conmon for podman), which
// starts the container, owns its output pipes and log, reaps it, records the exit status and
// applies --restart and --rm. Nothing else stays running.
#pragma once

#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "runner/container_store.h"

namespace builder::runner {

/// The hidden subcommand the monitor runs as: `builder debug monitor ID`.
inline constexpr const char* kMonitorCommand = "monitor";

/// A started container's handle for the caller that launched it.
struct StartedContainer {
  /// The monitor writes "exit N\n" here when the container's first run ends and it is settled
  /// (removed with --rm, else its monitor done unless it restarts), then closes it; a detached
  /// caller just drops it.
  UniqueFd exit_report;
  /// The container's log, opened before the start at its end: what this run writes, readable
  /// even when --rm has removed the file before the caller got to it.
  UniqueFd log;
};

/// Launches the monitor for a created or exited container (double fork + setsid + exec of
/// /proc/self/exe, stdio on /dev/null) and returns once the container's command runs.
/// Errors: the start failure the monitor reported; its code is kNotFound for a command that
/// was not found (docker's 127), kPermission for one that cannot be executed (126).
[[nodiscard]] Result<StartedContainer> StartContainer(const ContainerStore& store,
                                                      const std::string& id);

/// The monitor's body; `report_fd` is the pipe StartContainer reads. Returns the monitor's exit
/// code.
int RunMonitor(const ContainerStore& store, const std::string& id, int report_fd);

/// The exit code docker gives a start failure: 127 not found, 126 not executable, else 125.
int StartFailureExitCode(const Error& error);

}  // namespace builder::runner
