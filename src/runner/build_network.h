// BuildNetworkAttacher: the network a build's RUN gets by default, made by the runner's pieces
// (the default bridge for root, pasta rootless) and handed to the executor, which may not link
// the runner, by the CLI.
#pragma once

#include <string>

#include "sandbox/network_attacher.h"

namespace builder::runner {

/// Root: each RUN gets a veth on the default network `bridge` (builder0) with outbound NAT and
/// a lease held by this process (reclaimed like a container's after a SIGKILL). Rootless: pasta;
/// when pasta cannot work here, one that leaves the namespace with only lo (with a warning),
/// never the host's network.
/// `store_root` is $BUILDER_ROOT.
sandbox::NetworkAttacher BuildNetworkAttacher(std::string store_root);

}  // namespace builder::runner
