// The /etc/hosts and /etc/resolv.conf a container on a bridge network sees. Names of the other
// containers on the network are written into each member's hosts file and refreshed whenever one
// joins or leaves (instead of an embedded DNS server, as docker has): simpler, no daemon, and
// getaddrinfo in every libc reads /etc/hosts first.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "runner/network/network_store.h"

namespace builder::runner::network {

/// localhost lines, the container's own address as its hostname, every other lease's address
/// with its name and aliases, then --add-host entries ("NAME:IP").
std::string HostsContent(const Lease& self, const std::vector<Lease>& members);
/// `dns` servers when given; else the host's resolv.conf without loopback nameservers (they
/// are unreachable from the container): replaced by `loopback_relay` (once) when given (pasta's
/// DNS forwarder), else dropped, falling back to 8.8.8.8/8.8.4.4 as docker.
std::string ResolvConfContent(const std::vector<std::string>& dns, const std::string& host_resolv,
                              const std::string& loopback_relay = "");
/// Rewrites `path` in place (truncate + write, not rename: the file is bind-mounted into a
/// running container, a rename would leave the container on the old inode).
Result<void> RewriteInPlace(const std::string& path, const std::string& content);

}  // namespace builder::runner::network
