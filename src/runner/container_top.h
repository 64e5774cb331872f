// ContainerTop: the processes of a running container as `ps` shows them (docker top): the host's
// ps run with the user's options, its lines kept for the pids in the container's cgroup.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "runner/container_store.h"

namespace builder::runner {

struct ProcessTable {
  std::vector<std::string> titles;               ///< ps's header words ("UID", "PID", ...)
  std::vector<std::vector<std::string>> processes;  ///< one cell per title; the last keeps spaces
};

/// docker's parsePSOutput: the header's PID column, then every line whose pid is in `pids`
/// (and the "-" thread lines that follow one, for ps's m option). kInvalidArgument when the
/// output has no PID column or a pid is not a number.
[[nodiscard]] Result<ProcessTable> FilterPsOutput(std::string_view output, const std::vector<pid_t>& pids);

/// Runs `ps ARGS` (default -ef) on the host and filters it to the container's processes.
/// Errors: not running, no cgroup of its own, ps failing (its stderr in the message).
[[nodiscard]] Result<ProcessTable> ContainerTop(const ContainerView& view, std::vector<std::string> ps_args);

}  // namespace builder::runner
