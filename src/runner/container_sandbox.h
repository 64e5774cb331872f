// Turning a stored container into the SandboxSpec that starts it: the image's user names
// resolved through its passwd/group, HOME/PATH/HOSTNAME defaults, the working directory made.
#pragma once

#include "base/error.h"
#include "runner/container_spec.h"
#include "runner/container_store.h"
#include "sandbox/sandbox_spec.h"

namespace builder::runner {

/// The spec for one start of `container` (stdio fds left for the caller). Errors: an unknown
/// user or group (kNotFound, docker's wording), a bind source that vanished.
[[nodiscard]] Result<sandbox::SandboxSpec> SandboxSpecFor(const ContainerStore& store,
                                                          const ContainerSpec& container);

/// --ulimit NAME=SOFT[:HARD] ("nofile=1024:2048", -1 or "unlimited" for no limit).
[[nodiscard]] Result<sandbox::ResourceLimit> ParseUlimit(std::string_view text);

}  // namespace builder::runner
