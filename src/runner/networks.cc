// Networks: store records tied to bridges, veths and nftables rules.
#include "runner/networks.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/path.h"
#include "base/unique_fd.h"
#include "runner/network/firewall.h"
#include "runner/network/hosts_file.h"
#include "runner/network/netlink.h"

namespace builder::runner {
namespace {

// A free port: bind port 0 and let the kernel choose (as docker's port allocator falls back to).
Result<uint16_t> FreePort(const std::string& protocol) {
  UniqueFd s(::socket(AF_INET, (protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
  if (!s) return FailErrno("socket", errno);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return FailErrno("bind", errno);
  socklen_t len = sizeof a;
  if (::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0) return FailErrno("getsockname", errno);
  return ntohs(a.sin_port);
}

Result<void> KernelSide(const NetworkInfo& info) {
  network::Ipv4Net net = BUILDER_TRY(network::ParseIpv4Net(info.subnet));
  BUILDER_TRY(network::EnsureBridge(info.bridge, info.gateway, net.prefix));
  BUILDER_TRY(network::EnsureFirewall());
  BUILDER_TRY(network::AddNetworkRules(info.bridge, info.subnet, info.internal));
  if (!info.internal) BUILDER_TRY(network::WriteSysctl("net/ipv4/ip_forward", "1"));
  // Published ports on 127.0.0.1 (firewall.cc says why).
  BUILDER_TRY(network::WriteSysctl("net/ipv4/conf/" + info.bridge + "/route_localnet", "1"));
  return {};
}

}  // namespace

Result<Networks> Networks::Open(std::string store_root) {
  return Networks(BUILDER_TRY(network::NetworkStore::Open(std::move(store_root))));
}

Result<NetworkInfo> Networks::Create(const std::string& name, const std::string& subnet,
                                     bool internal, std::map<std::string, std::string> labels) {
  std::vector<network::Ipv4Net> routes = BUILDER_TRY(network::HostRoutes());
  NetworkInfo info = BUILDER_TRY(store_.Create(name, subnet, internal, std::move(labels), routes));
  if (auto made = KernelSide(info); !made) {
    (void)network::DeleteLink(info.bridge);
    (void)network::RemoveNetworkRules(info.bridge, info.subnet);
    (void)store_.Delete(name);
    return Fail(std::move(made.error()).Context("create network " + name));
  }
  return info;
}

Result<NetworkInfo> Networks::Ensure(const std::string& name) {
  auto info = store_.Get(name);
  if (!info && info.error().code() == ErrorCode::kNotFound && name == network::kDefaultNetwork) {
    auto made = Create(name, "", false, {});
    if (made || made.error().code() != ErrorCode::kAlreadyExists) return made;
    info = store_.Get(name);  // another process created it meanwhile
  }
  if (!info) return info;
  if (!network::LinkExists(info->bridge)) BUILDER_TRY(KernelSide(*info));
  return info;
}

Result<void> Networks::Remove(const std::string& name) {
  NetworkInfo info = BUILDER_TRY(store_.Get(name));
  if (info.name == network::kDefaultNetwork) {
    return Fail(ErrorCode::kInvalidArgument, info.name + " is a pre-defined network and cannot be removed");
  }
  for (const Lease& dead : BUILDER_TRY(store_.ReclaimDead(info.name))) (void)DropKernelSide(dead);
  BUILDER_TRY(store_.Delete(info.name));
  BUILDER_TRY(network::RemoveNetworkRules(info.bridge, info.subnet));
  BUILDER_TRY(network::DeleteLink(info.bridge));
  return {};
}

Result<std::vector<std::string>> Networks::Prune() {
  BUILDER_TRY(ReclaimDead());
  std::vector<std::string> removed;
  for (const NetworkInfo& info : BUILDER_TRY(store_.List())) {
    if (info.name == network::kDefaultNetwork) continue;
    if (!BUILDER_TRY(store_.Leases(info.name)).empty()) continue;
    if (Remove(info.name)) removed.push_back(info.name);
  }
  return removed;
}

Result<Lease> Networks::Attach(const AttachRequest& request, pid_t child) {
  NetworkInfo info = BUILDER_TRY(Ensure(request.network));
  Lease want;
  want.container_id = request.container_id;
  want.name = request.name;
  want.hostname = request.hostname.empty() ? request.name : request.hostname;
  want.aliases = request.aliases;
  want.extra_hosts = request.extra_hosts;
  want.hosts_file = request.hosts_file;
  want.holder_pid = request.holder_pid > 0 ? request.holder_pid : ::getpid();
  want.holder_start = network::ProcessStartTime(want.holder_pid);
  // Interface names are at most 15 bytes: "vb" + 12 of the id (docker: "veth" + 7 random).
  want.veth = "vb" + request.container_id.substr(0, 12);
  want.ports = request.ports;
  for (PortMapping& p : want.ports) {
    if (p.host_port == 0) p.host_port = BUILDER_TRY(FreePort(p.protocol));
  }
  std::vector<Lease> reclaimed;
  Lease lease = BUILDER_TRY(store_.Allocate(info.name, want, &reclaimed));
  for (const Lease& dead : reclaimed) (void)DropKernelSide(dead);
  auto connect = [&]() -> Result<void> {
    network::Ipv4Net net = BUILDER_TRY(network::ParseIpv4Net(info.subnet));
    BUILDER_TRY(network::ConnectContainer(child, info.bridge, lease.veth, lease.address, net.prefix,
                                          info.internal ? "" : info.gateway));
    BUILDER_TRY(network::AddPorts(lease.address, lease.ports));
    if (!request.resolv_conf_file.empty()) {
      std::string host = ReadFile("/etc/resolv.conf").value_or("");
      BUILDER_TRY(network::RewriteInPlace(request.resolv_conf_file,
                                          network::ResolvConfContent(request.dns, host)));
    }
    return RefreshHosts(info.name);
  };
  if (auto done = connect(); !done) {
    (void)Detach(info.name, lease.container_id);
    return Fail(std::move(done.error()).Context("connect to network " + info.name));
  }
  return lease;
}

Result<void> Networks::DropKernelSide(const Lease& lease) {
  BUILDER_TRY(network::RemovePorts(lease.ports));
  // Usually gone already: the veth dies with the container's network namespace.
  return network::DeleteLink(lease.veth);
}

Result<void> Networks::Detach(const std::string& network, const std::string& container_id) {
  std::optional<Lease> gone = BUILDER_TRY(store_.Release(network, container_id));
  if (!gone) return {};
  BUILDER_TRY(DropKernelSide(*gone));
  return RefreshHosts(network);
}

Result<void> Networks::ReclaimDead() {
  for (const NetworkInfo& info : BUILDER_TRY(store_.List())) {
    std::vector<Lease> dead = BUILDER_TRY(store_.ReclaimDead(info.name));
    for (const Lease& l : dead) (void)DropKernelSide(l);
    if (!dead.empty()) BUILDER_TRY(RefreshHosts(info.name));
  }
  return {};
}

Result<void> Networks::RefreshHosts(const std::string& network) {
  std::vector<Lease> members = BUILDER_TRY(store_.Leases(network));
  for (const Lease& m : members) {
    if (m.hosts_file.empty() || !network::HolderAlive(m)) continue;
    BUILDER_TRY(network::RewriteInPlace(m.hosts_file, network::HostsContent(m, members)));
  }
  return {};
}

}  // namespace builder::runner
