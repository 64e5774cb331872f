// EXPOSE values: `[ip:][hostport:]port[-end][/tcp|udp|sctp]` expanded to "port/proto" keys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::parser {

/// One EXPOSE word, parsed: container ports start..end (inclusive) and the protocol.
struct PortSpec {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  std::string proto;  ///< tcp, udp or sctp (lower case)
};

/// Parses and validates one EXPOSE word without expanding its range; same errors as
/// ParsePortSpec.
[[nodiscard]] Result<PortSpec> ParsePortSpecRange(std::string_view word);

/// Expands one EXPOSE word to the image config's ExposedPorts keys ("80/tcp"; a range gives one
/// key per port), as BuildKit's parsePortSpec. Errors, BuildKit's wording: "no port specified:
/// x<empty>", "invalid proto: x", "invalid containerPort: x", "invalid hostPort: x",
/// "invalid IP address: x", "invalid ranges specified for container and host Ports: a and b".
/// Ranges longer than 65536 ports cannot occur (ports are 16-bit).
[[nodiscard]] Result<std::vector<std::string>> ParsePortSpec(std::string_view word);

}  // namespace builder::parser
