// Networks: store records tied to bridges, veths and nftables rules.
#include "runner/networks.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "base/path.h"
#include "base/unique_fd.h"
#include "runner/event_log.h"
#include "runner/network/firewall.h"
#include "runner/network/hosts_file.h"
#include "runner/network/netlink.h"
#include "sandbox/pasta.h"
#include "sandbox/user_namespace_reexec.h"

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

// Interface order: eth2 before eth10.
bool InterfaceLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

// docker's network events: the network's id as actor, its name and driver (and the container).
void RecordNetworkEvent(const std::string& store_dir, const NetworkInfo& info, const std::string& action,
                        const std::string& container_id = "") {
  std::map<std::string, std::string> attrs = {{"name", info.name}, {"type", info.driver}};
  if (!container_id.empty()) attrs["container"] = container_id;
  RecordEvent(DirName(store_dir), ObjectEvent("network", action, info.id, std::move(attrs)));
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

DefaultNetwork ChooseDefaultNetwork() {
  // Rootless: not root, or root of the user namespace builder re-executed itself into.
  const bool rootless = ::getuid() != 0 || std::getenv(sandbox::kUserNamespaceMarker) != nullptr;
  if (!rootless) return {network::kDefaultNetwork, ""};
  if (auto usable = sandbox::PastaUsable(); !usable) return {"none", usable.error().ToString()};
  return {network::kDefaultNetwork, ""};
}

std::string DefaultNetworkMode() { return ChooseDefaultNetwork().mode; }

Result<Networks> Networks::Open(std::string store_root) {
  return Networks(BUILDER_TRY(network::NetworkStore::Open(std::move(store_root))));
}

Result<NetworkInfo> Networks::Create(const std::string& name, const std::string& subnet,
                                     bool internal, std::map<std::string, std::string> labels) {
  std::vector<network::Ipv4Net> routes = BUILDER_TRY(network::HostRoutes());
  std::string chosen = subnet;
  if (name == network::kDefaultNetwork && chosen.empty()) {
    // builder0 is the host's, shared by every store here: a new store joins its subnet (the
    // addresses are claimed host-wide) instead of adding one more address to it.
    std::vector<network::Ipv4Net> shared = BUILDER_TRY(network::HostRoutes(network::kDefaultBridge));
    if (!shared.empty()) {
      chosen = shared.front().ToString();
      std::erase(routes, shared.front());
    }
  }
  NetworkInfo info = BUILDER_TRY(store_.Create(name, chosen, internal, std::move(labels), routes));
  if (auto made = KernelSide(info); !made) {
    (void)network::DeleteLink(info.bridge);
    (void)network::RemoveNetworkRules(info.bridge, info.subnet);
    (void)store_.Delete(name);
    return Fail(std::move(made.error()).Context("create network " + name));
  }
  RecordNetworkEvent(store_.dir(), info, "create");
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
  if (!network::LinkExists(info->bridge)) {
    BUILDER_TRY(KernelSide(*info));
  } else if (info->bridge == network::kDefaultBridge) {
    // Another store may have made builder0 again with its own subnet: ours must be there too.
    const network::Ipv4Net net = BUILDER_TRY(network::ParseIpv4Net(info->subnet));
    const std::vector<network::Ipv4Net> on = BUILDER_TRY(network::HostRoutes(info->bridge));
    if (std::find(on.begin(), on.end(), net) == on.end()) {
      BUILDER_TRY(KernelSide(*info));
    }
  }
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
  RecordNetworkEvent(store_.dir(), info, "destroy");
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

Result<std::string> Networks::FreeInterface(const std::string& container_id) const {
  std::set<std::string> used;
  for (const NetworkInfo& info : BUILDER_TRY(store_.List())) {
    for (const Lease& l : BUILDER_TRY(store_.Leases(info.name))) {
      if (l.container_id == container_id && network::HolderAlive(l)) used.insert(l.interface);
    }
  }
  for (int n = 0;; ++n) {
    if (!used.contains("eth" + std::to_string(n))) return "eth" + std::to_string(n);
  }
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
  want.interface = request.interface.empty() ? BUILDER_TRY(FreeInterface(request.container_id))
                                             : request.interface;
  // Interface names are at most 15 bytes: "vb" + the id's start + the ethN number (docker:
  // "veth" + 7 random), so each of a container's networks has its own host end.
  const std::string index = want.interface.substr(3);
  want.veth = "vb" + request.container_id.substr(0, 13 - index.size()) + index;
  if (!request.links.empty()) {
    // docker's legacy links: a hosts entry "IP ALIAS NAME" for a running member.
    std::vector<Lease> members = BUILDER_TRY(store_.Leases(info.name));
    for (const std::string& link : request.links) {
      const size_t colon = link.find(':');
      const std::string name = link.substr(0, colon);
      const std::string alias = colon == std::string::npos ? name : link.substr(colon + 1);
      auto target = std::find_if(members.begin(), members.end(), [&](const Lease& m) {
        return (m.name == name || m.container_id == name) && network::HolderAlive(m);
      });
      if (target == members.end()) {
        return Fail(ErrorCode::kInvalidArgument, "cannot link to " + name +
                                                     ": no running container of that name on network " + info.name);
      }
      want.extra_hosts.push_back((alias == target->name ? alias : alias + " " + target->name) + ":" +
                                 target->address);
    }
  }
  want.ports = request.ports;
  for (PortMapping& p : want.ports) {
    if (p.host_port == 0) p.host_port = BUILDER_TRY(FreePort(p.protocol));
  }
  std::vector<Lease> reclaimed;
  Lease lease = BUILDER_TRY(store_.Allocate(info.name, want, &reclaimed));
  for (const Lease& dead : reclaimed) (void)DropKernelSide(dead);
  auto connect = [&]() -> Result<void> {
    network::Ipv4Net net = BUILDER_TRY(network::ParseIpv4Net(info.subnet));
    BUILDER_TRY(network::ConnectContainer(child, info.bridge, lease.veth, lease.interface, lease.address,
                                          net.prefix, info.internal ? "" : info.gateway));
    BUILDER_TRY(network::AddPorts(lease.address, lease.ports));
    if (!request.resolv_conf_file.empty()) {
      std::string host = ReadFile("/etc/resolv.conf").value_or("");
      BUILDER_TRY(network::RewriteInPlace(request.resolv_conf_file,
                                          network::ResolvConfContent(request.dns, host)));
    }
    return RefreshHosts();
  };
  if (auto done = connect(); !done) {
    (void)Detach(info.name, lease.container_id);
    return Fail(std::move(done.error()).Context("connect to network " + info.name));
  }
  // A build's RUN holds a lease too, without a name: docker reports containers only.
  if (!request.name.empty()) RecordNetworkEvent(store_.dir(), info, "connect", lease.container_id);
  return lease;
}

Result<void> Networks::DropKernelSide(const Lease& lease) {
  BUILDER_TRY(network::RemovePorts(lease.ports));
  // Usually gone already: the veth dies with the container's network namespace.
  return network::DeleteLink(lease.veth);
}

Result<std::optional<Lease>> Networks::Release(const std::string& network, const std::string& container_id) {
  std::optional<Lease> gone = BUILDER_TRY(store_.Release(network, container_id));
  if (!gone) return gone;
  BUILDER_TRY(DropKernelSide(*gone));
  if (!gone->name.empty()) {
    if (auto info = store_.Get(network)) RecordNetworkEvent(store_.dir(), *info, "disconnect", container_id);
  }
  return gone;
}

Result<void> Networks::Detach(const std::string& network, const std::string& container_id) {
  if (!BUILDER_TRY(Release(network, container_id))) return {};
  return RefreshHosts();
}

Result<void> Networks::Disconnect(const std::string& network, const std::string& container_id) {
  std::optional<Lease> gone = BUILDER_TRY(Release(network, container_id));
  if (!gone) return {};
  if (!gone->ports.empty()) {
    std::vector<Endpoint> rest = BUILDER_TRY(Endpoints(container_id));
    if (!rest.empty()) {
      Lease& first = rest.front().lease;
      BUILDER_TRY(network::AddPorts(first.address, gone->ports));
      first.ports.insert(first.ports.end(), gone->ports.begin(), gone->ports.end());
      BUILDER_TRY(store_.Update(rest.front().network.name, first));
    }
  }
  return RefreshHosts();
}

Result<std::map<std::string, std::vector<Endpoint>>> Networks::AllEndpoints() const {
  std::map<std::string, std::vector<Endpoint>> out;
  for (const NetworkInfo& info : BUILDER_TRY(store_.List())) {
    for (Lease& l : BUILDER_TRY(store_.Leases(info.name))) {
      if (network::HolderAlive(l)) out[l.container_id].push_back({info, std::move(l)});
    }
  }
  for (auto& [id, endpoints] : out) {
    std::sort(endpoints.begin(), endpoints.end(), [](const Endpoint& a, const Endpoint& b) {
      return InterfaceLess(a.lease.interface, b.lease.interface);
    });
  }
  return out;
}

Result<std::vector<Endpoint>> Networks::Endpoints(const std::string& container_id) const {
  auto all = BUILDER_TRY(AllEndpoints());
  auto it = all.find(container_id);
  return it == all.end() ? std::vector<Endpoint>{} : std::move(it->second);
}

Result<void> Networks::DetachAll(const std::string& container_id) {
  Result<void> result;
  for (const NetworkInfo& info : BUILDER_TRY(store_.List())) {
    if (auto r = Detach(info.name, container_id); !r && result) result = std::move(r);
  }
  return result;
}

Result<void> Networks::ReclaimDead() {
  for (const NetworkInfo& info : BUILDER_TRY(store_.List())) {
    std::vector<Lease> dead = BUILDER_TRY(store_.ReclaimDead(info.name));
    for (const Lease& l : dead) {
      (void)DropKernelSide(l);
      if (!l.name.empty()) RecordNetworkEvent(store_.dir(), info, "disconnect", l.container_id);
    }
    if (!dead.empty()) BUILDER_TRY(RefreshHosts());
  }
  return {};
}

Result<void> Networks::RefreshHosts() {
  std::vector<std::vector<Lease>> per_network;
  for (const NetworkInfo& info : BUILDER_TRY(store_.List())) {
    std::vector<Lease> live = BUILDER_TRY(store_.Leases(info.name));
    std::erase_if(live, [](const Lease& l) { return !network::HolderAlive(l); });
    per_network.push_back(std::move(live));
  }
  // Each container: its own lease on its first interface, and whom its networks hold.
  std::map<std::string, const Lease*> self;
  std::map<std::string, std::vector<size_t>> networks_of;
  for (size_t i = 0; i < per_network.size(); ++i) {
    for (const Lease& l : per_network[i]) {
      const Lease*& first = self[l.container_id];
      if (!first || InterfaceLess(l.interface, first->interface)) first = &l;
      networks_of[l.container_id].push_back(i);
    }
  }
  for (const auto& [id, lease] : self) {
    if (lease->hosts_file.empty()) continue;
    // --add-host entries of every network it is on (connect may have added them to any), and
    // each peer once per shared network: its address and aliases there (aliases are per network).
    Lease me = *lease;
    std::vector<Lease> members;
    for (size_t i : networks_of[id]) {
      for (const Lease& m : per_network[i]) {
        if (m.container_id != id) {
          members.push_back(m);
          continue;
        }
        for (const std::string& h : m.extra_hosts) {
          if (std::find(me.extra_hosts.begin(), me.extra_hosts.end(), h) == me.extra_hosts.end()) {
            me.extra_hosts.push_back(h);
          }
        }
      }
    }
    BUILDER_TRY(network::RewriteInPlace(lease->hosts_file, network::HostsContent(me, members)));
  }
  return {};
}

}  // namespace builder::runner
