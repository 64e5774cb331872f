// Firewall: the `ip builder` nftables table (through libnftables, not the nft binary): outbound
// NAT for non-internal networks, forwarding for the bridges, and published ports as DNAT maps.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "runner/network/port_mapping.h"

namespace builder::runner::network {

/// Creates the table with its sets, maps and chains when missing (idempotent).
Result<void> EnsureFirewall();
/// Adds a bridge and its subnet: masquerade for traffic leaving it unless `internal`, which
/// instead drops anything routed to or from the bridge.
Result<void> AddNetworkRules(const std::string& bridge, const std::string& subnet, bool internal);
/// Removes what AddNetworkRules added; missing elements are not an error.
Result<void> RemoveNetworkRules(const std::string& bridge, const std::string& subnet);
/// DNAT of each mapping (host_port filled in) to `address`:container_port, from other hosts
/// (prerouting) and from this host including 127.0.0.1 (output).
Result<void> AddPorts(const std::string& address, const std::vector<PortMapping>& ports);
/// Removes the mappings' DNAT entries; missing ones are skipped.
Result<void> RemovePorts(const std::vector<PortMapping>& ports);
/// The ruleset of the table as `nft list table ip builder` prints it ("" when absent); for tests.
Result<std::string> ListFirewall();

}  // namespace builder::runner::network
