// `builder port CONTAINER [PRIVATE_PORT[/PROTO]]`: the running container's published ports, as
// the network's lease recorded them (host ports picked by -p CTR / -P filled in).
#include <iostream>

#include "base/path.h"
#include "commands.h"
#include "runner/networks.h"

namespace builder::cli {
namespace {

Result<void> PrintPorts(const std::string& ref, const std::string& filter) {
  runner::ContainerStore store = BUILDER_TRY(OpenContainers());
  const std::string id = BUILDER_TRY(store.Resolve(ref));
  runner::ContainerSpec spec = BUILDER_TRY(store.LoadSpec(id));
  std::string want = filter;
  if (!want.empty() && want.find('/') == std::string::npos) want += "/tcp";
  bool found = false;
  if (spec.bridged()) {
    runner::Networks nets = BUILDER_TRY(runner::Networks::Open(DirName(store.dir())));
    for (const runner::Endpoint& e : nets.Endpoints(id).value_or(std::vector<runner::Endpoint>{})) {
      for (const runner::PortMapping& p : e.lease.ports) {
        const std::string ctr = std::to_string(p.container_port) + "/" + p.protocol;
        const std::string host = (p.host_ip.empty() ? "0.0.0.0" : p.host_ip) + ":" + std::to_string(p.host_port);
        if (want.empty()) {
          std::cout << ctr << " -> " << host << '\n';
        } else if (want == ctr) {
          std::cout << host << '\n';
          found = true;
        }
      }
    }
  }
  // Rootless: pasta's ports, recorded in the state while the container runs.
  runner::ContainerState state = BUILDER_TRY(store.LoadState(id));
  for (const std::string& line : state.active() ? state.published_ports : std::vector<std::string>{}) {
    const std::size_t arrow = line.find(" -> ");
    if (arrow == std::string::npos) continue;
    if (want.empty()) {
      std::cout << line << '\n';
    } else if (want == line.substr(0, arrow)) {
      std::cout << line.substr(arrow + 4) << '\n';
      found = true;
    }
  }
  if (!want.empty() && !found) {
    return Fail(ErrorCode::kNotFound, "No public port '" + want + "' published for " + ref);
  }
  return {};
}

}  // namespace

void RegisterPort(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("port", "List port mappings or a specific mapping for the container");
  static std::string ref, filter;
  cmd->add_option("CONTAINER", ref, "Container (name, id or id prefix)")->required();
  cmd->add_option("PRIVATE_PORT", filter, "PRIVATE_PORT[/PROTO]");
  cmd->callback([status] {
    auto r = PrintPorts(ref, filter);
    *status = r ? 0 : ReportError(r.error());
  });
}

}  // namespace builder::cli
