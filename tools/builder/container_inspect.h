// docker's container inspect JSON for one container (used by `inspect`).
#pragma once

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "runner/container_store.h"

namespace builder::cli {

/// {Id, Created, Path, Args, State{...}, Image, Name "/name", RestartCount, HostConfig{...},
/// Config{...}, Mounts[...]} in docker's key order.
[[nodiscard]] Result<nlohmann::ordered_json> DescribeContainer(const runner::ContainerStore& store,
                                                               const std::string& id);

}  // namespace builder::cli
