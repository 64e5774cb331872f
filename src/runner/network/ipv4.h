// Ipv4 and Ipv4Net: IPv4 addresses and CIDR subnets as host-order integers, parsed and printed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace builder::runner::network {

/// Parses dotted quad "10.88.0.1" into a host-order integer.
Result<uint32_t> ParseIpv4(std::string_view text);
std::string FormatIpv4(uint32_t address);

/// A subnet "10.88.0.0/16"; `address` is always the network address (host bits cleared).
struct Ipv4Net {
  uint32_t address = 0;
  int prefix = 0;
  uint32_t Mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
  bool Contains(uint32_t a) const { return (a & Mask()) == address; }
  bool Overlaps(const Ipv4Net& other) const;
  uint32_t Broadcast() const { return address | ~Mask(); }
  std::string ToString() const;
  bool operator==(const Ipv4Net&) const = default;
};

/// "A.B.C.D/N"; host bits must be zero (as docker refuses 10.0.0.1/8 for a subnet).
Result<Ipv4Net> ParseIpv4Net(std::string_view text);

}  // namespace builder::runner::network
