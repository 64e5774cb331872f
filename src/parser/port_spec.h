// EXPOSE values: `[ip:][hostport:]port[-end][/tcp|udp|sctp]` expanded to "port/proto" keys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::parser {

/// Expands one EXPOSE word to the image config's ExposedPorts keys ("80/tcp"; a range gives one
/// key per port), as BuildKit's parsePortSpec. Errors, BuildKit's wording: "no port specified:
/// x<empty>", "invalid proto: x", "invalid containerPort: x", "invalid hostPort: x",
/// "invalid IP address: x", "invalid ranges specified for container and host Ports: a and b".
/// Ranges longer than 65536 ports cannot occur (ports are 16-bit).
[[nodiscard]] Result<std::vector<std::string>> ParsePortSpec(std::string_view word);

}  // namespace builder::parser
