// `network connect` / `disconnect`: a container joins or leaves a network, recorded in its
// config (so the next start joins it again) and, while it runs, done to its live namespace.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "runner/container_store.h"

namespace builder::runner {

/// Adds `network` to the container's networks. A running container gets a new ethN with an
/// address there at once, and the hosts files of its peers are refreshed. Errors:
/// kInvalidArgument for a host/none container, kNotFound for a missing network,
/// kAlreadyExists when it is connected already. Nothing is recorded when the attach fails.
[[nodiscard]] Result<void> ConnectNetwork(const ContainerStore& store, const std::string& container,
                                          const std::string& network,
                                          const std::vector<std::string>& aliases);

/// Removes `network` from the container's networks; a running container loses that interface
/// and its address, port rules and hosts entries. kInvalidArgument when it is not connected,
/// unless `force` (which also drops a lease left without a record).
[[nodiscard]] Result<void> DisconnectNetwork(const ContainerStore& store, const std::string& container,
                                             const std::string& network, bool force);

}  // namespace builder::runner
