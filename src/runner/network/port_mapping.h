// PortMapping: one published port (`-p [IP:]HOST:CTR[/tcp|udp]`, `-p CTR`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace builder::runner::network {

struct PortMapping {
  std::string host_ip;          ///< "" = every host address (docker's 0.0.0.0)
  uint16_t host_port = 0;       ///< 0 = pick a free one (`-p CTR`); filled in by Attach
  uint16_t container_port = 0;
  std::string protocol = "tcp";  ///< "tcp" or "udp"
  /// docker's form: "0.0.0.0:8080->80/tcp"
  std::string ToString() const;
};

/// Parses docker's `-p` syntax; IPv6 host addresses are refused (kUnsupported).
Result<PortMapping> ParsePortMapping(std::string_view text);

}  // namespace builder::runner::network
