// Connecting a created or running container to a network, and disconnecting it.
#include "runner/network_connect.h"

#include <algorithm>

#include "base/path.h"
#include "runner/networks.h"

namespace builder::runner {
namespace {

bool Connected(const ContainerSpec& spec, const std::string& network) {
  return std::any_of(spec.networks.begin(), spec.networks.end(),
                     [&](const NetworkAttachment& a) { return a.name == network; });
}

}  // namespace

Result<void> ConnectNetwork(const ContainerStore& store, const std::string& container,
                            const std::string& network, const std::vector<std::string>& aliases) {
  const std::string id = BUILDER_TRY(store.Resolve(container));
  Networks nets = BUILDER_TRY(Networks::Open(DirName(store.dir())));
  const NetworkInfo info = BUILDER_TRY(nets.Ensure(network));
  ContainerView view = BUILDER_TRY(store.View(id));
  if (!view.spec.bridged()) {
    return Fail(ErrorCode::kInvalidArgument, "container " + view.spec.name + " uses --network " +
                                                 view.spec.network + " and cannot be connected to other networks");
  }
  BUILDER_TRY(store.UpdateSpec(id, [&](ContainerSpec& spec) -> Result<void> {
    if (Connected(spec, info.name)) {
      return Fail(ErrorCode::kAlreadyExists,
                  "endpoint with name " + spec.name + " already exists in network " + info.name);
    }
    spec.networks.push_back({info.name, aliases});
    return {};
  }));
  if (!view.monitor_alive || !view.state.active() || view.state.pid <= 0) return {};
  AttachRequest r;
  r.network = info.name;
  r.container_id = id;
  r.name = view.spec.name;
  r.hostname = view.spec.hostname;
  r.aliases = aliases;
  r.hosts_file = store.DirOf(id) + "/hosts";
  // --add-host belongs to the container, whichever network its hosts file is written for; a
  // container left on no network gets its ports, --dns and links back on the one it joins now
  // (its first), as at start.
  r.extra_hosts = view.spec.extra_hosts;
  if (BUILDER_TRY(nets.Endpoints(id)).empty()) {
    for (const std::string& p : view.spec.ports) r.ports.push_back(BUILDER_TRY(network::ParsePortMapping(p)));
    r.dns = view.spec.dns;
    r.links = view.spec.links;
    r.resolv_conf_file = store.DirOf(id) + "/resolv.conf";
  }
  // The monitor holds the lease: the container's namespace lives as long as it does, and its
  // end of run detaches every network, this one included.
  r.holder_pid = view.state.monitor_pid;
  if (auto attached = nets.Attach(r, view.state.pid); !attached) {
    (void)store.UpdateSpec(id, [&](ContainerSpec& spec) -> Result<void> {
      std::erase_if(spec.networks, [&](const NetworkAttachment& a) { return a.name == info.name; });
      return {};
    });
    return Fail(std::move(attached.error()));
  }
  return {};
}

Result<void> DisconnectNetwork(const ContainerStore& store, const std::string& container,
                               const std::string& network, bool force) {
  const std::string id = BUILDER_TRY(store.Resolve(container));
  Networks nets = BUILDER_TRY(Networks::Open(DirName(store.dir())));
  auto info = nets.store().Get(network);
  if (!info && !force) return Fail(std::move(info.error()));
  const std::string name = info ? info->name : network;
  BUILDER_TRY(store.UpdateSpec(id, [&](ContainerSpec& spec) -> Result<void> {
    if (!Connected(spec, name) && !force) {
      return Fail(ErrorCode::kInvalidArgument,
                  "container " + spec.name + " is not connected to network " + name);
    }
    std::erase_if(spec.networks, [&](const NetworkAttachment& a) { return a.name == name; });
    return {};
  }));
  if (!info) return {};
  return nets.Disconnect(name, id);
}

}  // namespace builder::runner
