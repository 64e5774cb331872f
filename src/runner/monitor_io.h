// The monitor's I/O loop for one run of a container: output (pipes or the pty master) into the
// log, attach clients' input, EOF and window sizes to the container.
#pragma once

#include "base/unique_fd.h"
#include "runner/container_log.h"
#include "sandbox/sandbox.h"

namespace builder::runner {

struct ContainerIo {
  UniqueFd out;    ///< stdout pipe, or the pty master with tty
  UniqueFd err;    ///< stderr pipe; invalid with tty
  UniqueFd input;  ///< stdin pipe's write end (-i without -t); unused with tty (out is both)
  bool tty = false;
};

/// Runs until the container's output reaches EOF (its pid namespace is gone, so nothing holds
/// the pipes or the pty). Input is written without blocking: a container that does not read
/// its stdin cannot stall its own output.
void ServeContainerIo(ContainerIo io, int listen_fd, LogWriter& log, sandbox::Sandbox& sandbox);

}  // namespace builder::runner
