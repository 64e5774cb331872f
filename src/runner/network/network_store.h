// NetworkStore: the networks under $BUILDER_ROOT/networks/<name>.json and each one's address
// leases (the per-network allocator). Records only; the kernel side lives in network/attach.h.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "runner/network/ipv4.h"
#include "runner/network/port_mapping.h"

namespace builder::runner::network {

/// The default network's name and bridge (docker's `bridge` network, podman-like addresses).
inline constexpr const char* kDefaultNetwork = "bridge";
inline constexpr const char* kDefaultBridge = "builder0";

struct NetworkInfo {
  std::string id;  ///< 64 hex
  std::string name;
  std::string driver = "bridge";
  std::string subnet;   ///< "10.88.0.0/16"
  std::string gateway;  ///< "10.88.0.1", the bridge's own address
  std::string bridge;   ///< host interface: builder0, or br-<id:12> as docker
  bool internal = false;
  std::map<std::string, std::string> labels;
  std::string created;  ///< RFC 3339, UTC
};

/// One container's address on a network. The holder (the process keeping the container's
/// network namespace alive: the monitor, or the sandbox parent) is named by pid and start time,
/// so a lease whose holder died, even by SIGKILL, is recognised and reclaimed.
struct Lease {
  std::string container_id;
  std::string name;                  ///< container name, resolvable by the others
  std::vector<std::string> aliases;  ///< --network-alias
  std::string address;               ///< "10.88.0.2"
  std::string veth;                  ///< host end of the pair
  std::string interface;             ///< the container's end: eth0, eth1 (network connect)...
  pid_t holder_pid = 0;
  uint64_t holder_start = 0;  ///< /proc/<pid>/stat starttime
  std::string hosts_file;     ///< the container's /etc/hosts on the host, refreshed on join/leave
  std::string hostname;       ///< the container's own name in its hosts file
  std::vector<std::string> extra_hosts;  ///< --add-host "NAME:IP"
  std::vector<PortMapping> ports;
};

/// /proc/<pid>/stat's starttime, 0 when the process is gone (or a zombie).
uint64_t ProcessStartTime(pid_t pid);
/// Whether the lease's holder is still the same running process.
bool HolderAlive(const Lease& lease);

class NetworkStore {
 public:
  /// `store_root` is $BUILDER_ROOT; networks/ is created below it.
  [[nodiscard]] static Result<NetworkStore> Open(std::string store_root);

  /// Records a network. An empty `subnet` picks the first candidate (10.88.0.0/16 for the
  /// default network, else 10.89.N.0/24) overlapping neither `host_routes` nor another network;
  /// a given subnet that overlaps one of them is refused. kAlreadyExists for a taken name.
  [[nodiscard]] Result<NetworkInfo> Create(const std::string& name, const std::string& subnet,
                                           bool internal, std::map<std::string, std::string> labels,
                                           const std::vector<Ipv4Net>& host_routes);
  /// By name, full id or unique id prefix; kNotFound when missing.
  [[nodiscard]] Result<NetworkInfo> Get(const std::string& name_or_id) const;
  [[nodiscard]] Result<std::vector<NetworkInfo>> List() const;
  /// Drops the record; kPermission-free kInvalidArgument while a live lease remains.
  [[nodiscard]] Result<void> Delete(const std::string& name);

  /// Gives `request.container_id` the lowest free address (after the gateway) and records the
  /// lease with request's other fields. Dead holders' leases are reclaimed first (and returned
  /// in *reclaimed so the caller can drop their rules). kAlreadyExists if the container already
  /// holds one here; kIo-free kUnsupported ("exhausted") when the subnet is full.
  [[nodiscard]] Result<Lease> Allocate(const std::string& network, Lease request,
                                       std::vector<Lease>* reclaimed = nullptr);
  /// Replaces a lease's mutable fields (ports after the host side picked them, the veth name).
  [[nodiscard]] Result<void> Update(const std::string& network, const Lease& lease);
  /// Removes the container's lease; nullopt when it held none.
  [[nodiscard]] Result<std::optional<Lease>> Release(const std::string& network,
                                                     const std::string& container_id);
  /// Every lease, live or not.
  [[nodiscard]] Result<std::vector<Lease>> Leases(const std::string& network) const;
  /// Removes and returns the leases whose holder is gone.
  [[nodiscard]] Result<std::vector<Lease>> ReclaimDead(const std::string& network);

  const std::string& dir() const { return dir_; }

 private:
  explicit NetworkStore(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;  ///< $BUILDER_ROOT/networks
};

}  // namespace builder::runner::network
