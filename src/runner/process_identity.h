// Telling a live process from a reused pid: a pid plus its start time names one process
// (sandbox::ProcessStartTime reads it).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace builder::runner {

/// Whether `pid` is alive and is the process that started at `start_time` (not a zombie).
bool ProcessAlive(pid_t pid, std::uint64_t start_time);

/// Sends `sig` to pid only if it is still the process that started at start_time (through a
/// pidfd, so the check and the kill name the same process). false when it is gone.
bool SignalProcess(pid_t pid, std::uint64_t start_time, int sig);

/// The threads of this process (0 when /proc cannot tell): a fork without exec is only safe at 1.
std::size_t CurrentThreadCount();

}  // namespace builder::runner
