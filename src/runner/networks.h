// Networks: the runner's entry point to container networks; the store's records plus the
// kernel side (bridge, veth, nftables). The runner calls Attach from the sandbox's
// configure_network hook and Detach when the container stops.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "runner/network/network_store.h"
#include "runner/network/port_mapping.h"

namespace builder::runner {

using network::Lease;
using network::NetworkInfo;
using network::PortMapping;

/// What a container asks of one network.
struct AttachRequest {
  std::string network = network::kDefaultNetwork;
  std::string container_id;
  std::string name;      ///< container name, resolvable by the network's other members
  std::string hostname;  ///< own name in its hosts file (default: name)
  std::vector<std::string> aliases;
  std::vector<PortMapping> ports;        ///< host_port 0 picks a free port
  std::vector<std::string> extra_hosts;  ///< --add-host NAME:IP
  std::vector<std::string> dns;          ///< --dns
  std::vector<std::string> links;        ///< --link NAME[:ALIAS]: running members of the network
  /// The container's end: "" = the first ethN the container does not use on another network.
  std::string interface;
  /// Host files the caller binds at /etc/hosts and /etc/resolv.conf (written here, hosts kept
  /// current as members come and go); "" skips each.
  std::string hosts_file;
  std::string resolv_conf_file;
  /// The process whose life is the lease's (the monitor); 0 = this process.
  pid_t holder_pid = 0;
};

/// The network a container joins without --network, and why it is not the usual one.
struct DefaultNetwork {
  std::string mode;      ///< "bridge" or "none"
  std::string fallback;  ///< "" normally; else why a rootless user gets "none" (one line)
};

/// docker's `bridge` for root; for a rootless user `bridge` too, served by pasta (as podman),
/// or `none` when pasta cannot work here (not installed, /dev/net/tun unusable): an isolated
/// namespace, never silently the host's. The one place deciding it.
DefaultNetwork ChooseDefaultNetwork();
/// ChooseDefaultNetwork().mode.
std::string DefaultNetworkMode();

/// A container's live place on one network (for ps, port and inspect).
struct Endpoint {
  NetworkInfo network;
  Lease lease;
};

class Networks {
 public:
  [[nodiscard]] static Result<Networks> Open(std::string store_root);

  /// Records the network and sets up its bridge and rules.
  [[nodiscard]] Result<NetworkInfo> Create(const std::string& name, const std::string& subnet,
                                           bool internal, std::map<std::string, std::string> labels);
  /// The default network `bridge` (builder0), created on first use; its kernel side re-made when
  /// missing (after a reboot).
  [[nodiscard]] Result<NetworkInfo> Ensure(const std::string& name);
  /// Refuses a network with live endpoints (and the default one); removes bridge, rules, record.
  [[nodiscard]] Result<void> Remove(const std::string& name);
  /// Reclaims dead leases everywhere, then removes user networks without endpoints.
  [[nodiscard]] Result<std::vector<std::string>> Prune();

  /// Allocates an address and connects the container whose init is `child` (its netns): veth,
  /// ethN with address (and default route when it has none), published ports, hosts/resolv
  /// files. Returns the lease with every host port filled in. On failure nothing stays behind.
  /// kInvalidArgument when a --link names no running member of the network.
  [[nodiscard]] Result<Lease> Attach(const AttachRequest& request, pid_t child);
  /// Removes the container's ports, veth and lease and refreshes the others' hosts files.
  /// A container without a lease there is not an error.
  [[nodiscard]] Result<void> Detach(const std::string& network, const std::string& container_id);
  /// The container's endpoints whose holder lives, by interface (eth0 first).
  [[nodiscard]] Result<std::vector<Endpoint>> Endpoints(const std::string& container_id) const;
  /// `network disconnect` of a running container: Detach, then the ports that network published
  /// move to the container's first remaining endpoint (docker publishes a container's ports on
  /// its first network, whichever that is now).
  [[nodiscard]] Result<void> Disconnect(const std::string& network, const std::string& container_id);
  /// Every live endpoint of every container, by container id (one pass over the records).
  [[nodiscard]] Result<std::map<std::string, std::vector<Endpoint>>> AllEndpoints() const;
  /// Detach from every network the container holds a lease on.
  [[nodiscard]] Result<void> DetachAll(const std::string& container_id);
  /// Detach for every lease whose holder is gone, on every network.
  [[nodiscard]] Result<void> ReclaimDead();

  network::NetworkStore& store() { return store_; }

 private:
  explicit Networks(network::NetworkStore store) : store_(std::move(store)) {}
  /// Rewrites every live member's hosts file: the members of all the networks it is on.
  Result<void> RefreshHosts();
  Result<std::string> FreeInterface(const std::string& container_id) const;
  Result<void> DropKernelSide(const Lease& lease);
  /// Removes the lease and its kernel side and records docker's disconnect event.
  Result<std::optional<Lease>> Release(const std::string& network, const std::string& container_id);
  network::NetworkStore store_;
};

}  // namespace builder::runner
