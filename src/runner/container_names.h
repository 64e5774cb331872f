// Docker-style default container names ("adjective_surname") and the rule for given names.
#pragma once

#include <string>

#include "base/error.h"

namespace builder::runner {

/// A random "adjective_surname"; `attempt` > 0 appends it as docker does after a collision.
std::string RandomContainerName(int attempt = 0);

/// docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (a leading '/' is accepted and dropped).
[[nodiscard]] Result<std::string> ValidateContainerName(std::string_view name);

/// 64 random lowercase hex digits.
std::string RandomContainerId();

}  // namespace builder::runner
