// Links and addresses through rtnetlink (libnl-route-3): the bridge, a veth pair per container,
// and the container end configured inside its network namespace. No `ip` commands.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "runner/network/ipv4.h"

namespace builder::runner::network {

/// The host's IPv4 routes' destinations (main table), to choose subnets that collide with none;
/// with `only_link`, those that go out through that interface only (none when it is missing).
Result<std::vector<Ipv4Net>> HostRoutes(const std::string& only_link = "");

/// Creates the bridge when missing, gives it `gateway`/prefix and sets it up (idempotent).
Result<void> EnsureBridge(const std::string& bridge, const std::string& gateway, int prefix);
/// Deletes a link when it exists (a bridge, or a veth's host end, which takes its peer along).
Result<void> DeleteLink(const std::string& name);
bool LinkExists(const std::string& name);

/// A veth pair: `host_name` enslaved to `bridge` and up; its peer created directly in the
/// network namespace of `pid` as `inner` (eth0, eth1...), with `address`/prefix, up, a default
/// route via `gateway` (when non-empty and the namespace has none yet), and lo up.
Result<void> ConnectContainer(pid_t pid, const std::string& bridge, const std::string& host_name,
                              const std::string& inner, const std::string& address, int prefix,
                              const std::string& gateway);

/// The MAC address a container interface with `ipv4` gets: 02:42 and the address's four bytes,
/// as docker derives it (locally administered, stable, so inspect can print it without asking
/// the container's namespace).
std::string MacAddressFor(const std::string& ipv4);

/// Writes a sysctl under /proc/sys ("net/ipv4/ip_forward").
Result<void> WriteSysctl(const std::string& key, const std::string& value);

}  // namespace builder::runner::network
