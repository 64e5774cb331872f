// Acting on a container through its state: signals, stop with escalation, waiting for its exit,
// removal. Every function takes a resolved id.
#pragma once

#include <optional>
#include <string>

#include "base/error.h"
#include "runner/container_store.h"

namespace builder::runner {

/// A signal by name or number: "TERM", "SIGTERM", "15", "SIGRTMIN+3". kInvalidArgument otherwise.
[[nodiscard]] Result<int> ParseSignal(std::string_view text);

/// Sends `sig` to the running container's init (which forwards it to the command). kInvalidArgument
/// "container X is not running" otherwise.
[[nodiscard]] Result<void> KillContainer(const ContainerStore& store, const std::string& id, int sig);

/// The container's stop signal, then SIGKILL after timeout_s (nullopt: --stop-timeout, else 10);
/// marks the stop as the user's, so no restart policy applies. Stopping a stopped container is
/// not an error.
[[nodiscard]] Result<void> StopContainer(const ContainerStore& store, const std::string& id,
                                         std::optional<int> timeout_s);

/// Blocks until the container is not running (nor restarting) and returns its exit code; waits
/// for a created container to run and stop. timeout_ms < 0: forever; kCancelled on timeout.
[[nodiscard]] Result<int> WaitContainer(const ContainerStore& store, const std::string& id,
                                        int timeout_ms = -1);

/// Removes a container; a running one only with force (its monitor and init are SIGKILLed first,
/// so nothing is left running or mounted). docker's error text otherwise. It stops using its
/// volumes; with remove_volumes its anonymous ones are deleted too (rm -v, --rm).
[[nodiscard]] Result<void> RemoveContainer(const ContainerStore& store, const std::string& id,
                                           bool force, bool remove_volumes = false);

/// Drops the container as a user of its volumes (it is gone); deletes its anonymous ones when
/// asked. Best effort: a volume already removed is no error.
void ReleaseVolumes(const ContainerStore& store, const ContainerSpec& spec, bool remove_anonymous);

}  // namespace builder::runner
