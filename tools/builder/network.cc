// `builder network create|ls|rm|inspect|prune|connect|disconnect`: container networks (argument parsing and printing).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "oci/image_store.h"
#include "runner/network_connect.h"
#include "runner/networks.h"

namespace builder::cli {
namespace {

Result<runner::Networks> OpenNetworks() {
  std::string root = BUILDER_TRY(oci::ImageStore::DefaultRoot());
  return runner::Networks::Open(root);
}

nlohmann::json InspectJson(runner::Networks& nets, const runner::NetworkInfo& n) {
  nlohmann::json containers = nlohmann::json::object();
  for (const runner::Lease& l : nets.store().Leases(n.name).value_or(std::vector<runner::Lease>{})) {
    containers[l.container_id] = {{"Name", l.name}, {"IPv4Address", l.address + "/" + n.subnet.substr(n.subnet.find('/') + 1)},
                                  {"IPv6Address", ""}, {"MacAddress", ""}, {"EndpointID", ""}};
  }
  return {{"Name", n.name},
          {"Id", n.id},
          {"Created", n.created},
          {"Scope", "local"},
          {"Driver", n.driver},
          {"EnableIPv6", false},
          {"IPAM", {{"Driver", "default"}, {"Options", nlohmann::json::object()},
                    {"Config", {{{"Subnet", n.subnet}, {"Gateway", n.gateway}}}}}},
          {"Internal", n.internal},
          {"Attachable", false},
          {"Ingress", false},
          {"ConfigOnly", false},
          {"Containers", containers},
          {"Options", {{"com.docker.network.bridge.name", n.bridge}}},
          {"Labels", n.labels}};
}

int Create(const std::string& name, const std::string& subnet, bool internal,
           const std::vector<std::string>& labels) {
  std::map<std::string, std::string> parsed;
  for (const std::string& l : labels) {
    size_t eq = l.find('=');
    parsed[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  auto nets = OpenNetworks();
  if (!nets) return ReportError(nets.error());
  auto info = nets->Create(name, subnet, internal, parsed);
  if (!info) return ReportError(info.error());
  std::cout << info->id << '\n';
  return 0;
}

int List(bool quiet, const std::string& format) {
  auto nets = OpenNetworks();
  if (!nets) return ReportError(nets.error());
  if (auto ensured = nets->Ensure("bridge"); !ensured) return ReportError(ensured.error());
  auto all = nets->store().List();
  if (!all) return ReportError(all.error());
  if (!quiet && format.empty()) std::printf("%-14s %-20s %-8s %s\n", "NETWORK ID", "NAME", "DRIVER", "SCOPE");
  for (const runner::NetworkInfo& n : *all) {
    if (quiet) {
      std::cout << n.id.substr(0, 12) << '\n';
    } else if (format == "json") {
      std::cout << nlohmann::json{{"ID", n.id.substr(0, 12)}, {"Name", n.name}, {"Driver", n.driver},
                                  {"Scope", "local"}, {"Internal", n.internal}, {"Subnet", n.subnet}}.dump()
                << '\n';
    } else {
      std::printf("%-14s %-20s %-8s %s\n", n.id.substr(0, 12).c_str(), n.name.c_str(), n.driver.c_str(), "local");
    }
  }
  return 0;
}

int Remove(const std::vector<std::string>& names) {
  auto nets = OpenNetworks();
  if (!nets) return ReportError(nets.error());
  int status = 0;
  for (const std::string& name : names) {
    if (auto r = nets->Remove(name); !r) {
      status = ReportError(r.error());
    } else {
      std::cout << name << '\n';
    }
  }
  return status;
}

int Inspect(const std::vector<std::string>& names) {
  auto nets = OpenNetworks();
  if (!nets) return ReportError(nets.error());
  nlohmann::json out = nlohmann::json::array();
  int status = 0;
  for (const std::string& name : names) {
    auto info = name == "bridge" ? nets->Ensure(name) : nets->store().Get(name);
    if (!info) {
      status = ReportError(info.error());
      continue;
    }
    out.push_back(InspectJson(*nets, *info));
  }
  std::cout << out.dump(4) << '\n';
  return status;
}

int Prune() {
  auto nets = OpenNetworks();
  if (!nets) return ReportError(nets.error());
  auto removed = nets->Prune();
  if (!removed) return ReportError(removed.error());
  if (!removed->empty()) std::cout << "Deleted Networks:\n";
  for (const std::string& n : *removed) std::cout << n << '\n';
  return 0;
}

}  // namespace

void RegisterNetwork(CLI::App& app, int* status) {
  auto* net = app.add_subcommand("network", "Manage container networks");
  net->require_subcommand(1);

  auto* create = net->add_subcommand("create", "Create a bridge network");
  struct CreateOpts {
    std::string name, subnet;
    bool internal = false;
    std::vector<std::string> labels;
  };
  auto c = std::make_shared<CreateOpts>();
  create->add_option("--subnet", c->subnet, "Subnet in CIDR form (default: a free 10.89.N.0/24)");
  create->add_flag("--internal", c->internal, "No outbound access (no NAT, nothing routed)");
  create->add_option("--label", c->labels, "KEY=VALUE metadata");
  create->add_option("NAME", c->name)->required();
  create->callback([c, status] { *status = Create(c->name, c->subnet, c->internal, c->labels); });

  auto* ls = net->add_subcommand("ls", "List networks");
  ls->alias("list");
  auto quiet = std::make_shared<bool>(false);
  auto format = std::make_shared<std::string>();
  ls->add_flag("-q,--quiet", *quiet, "Only IDs");
  ls->add_option("--format", *format, "json");
  ls->callback([quiet, format, status] { *status = List(*quiet, *format); });

  auto rm_names = std::make_shared<std::vector<std::string>>();
  auto* rm = net->add_subcommand("rm", "Remove networks");
  rm->alias("remove");
  rm->add_option("NAME", *rm_names)->required();
  rm->callback([rm_names, status] { *status = Remove(*rm_names); });

  auto in_names = std::make_shared<std::vector<std::string>>();
  auto* inspect = net->add_subcommand("inspect", "Show networks as JSON");
  inspect->add_option("NAME", *in_names)->required();
  inspect->callback([in_names, status] { *status = Inspect(*in_names); });

  struct ConnectOpts {
    std::string network, container;
    std::vector<std::string> aliases;
    bool force = false;
  };
  auto co = std::make_shared<ConnectOpts>();
  auto* connect = net->add_subcommand("connect", "Connect a container to a network");
  connect->add_option("--alias", co->aliases, "Add network-scoped alias for the container")->allow_extra_args(false);
  connect->add_option("NETWORK", co->network)->required();
  connect->add_option("CONTAINER", co->container)->required();
  connect->callback([co, status] {
    auto store = OpenContainers();
    auto done = store ? runner::ConnectNetwork(*store, co->container, co->network, co->aliases)
                      : Result<void>(std::unexpected(store.error()));
    *status = done ? 0 : ReportError(done.error());
  });
  auto* disconnect = net->add_subcommand("disconnect", "Disconnect a container from a network");
  disconnect->add_flag("-f,--force", co->force, "Also when the container holds no record of it");
  disconnect->add_option("NETWORK", co->network)->required();
  disconnect->add_option("CONTAINER", co->container)->required();
  disconnect->callback([co, status] {
    auto store = OpenContainers();
    auto done = store ? runner::DisconnectNetwork(*store, co->container, co->network, co->force)
                      : Result<void>(std::unexpected(store.error()));
    *status = done ? 0 : ReportError(done.error());
  });

  auto* prune = net->add_subcommand("prune", "Remove unused networks and dead endpoints");
  auto force = std::make_shared<bool>(false);
  prune->add_flag("-f,--force", *force, "Do not prompt (there is no prompt)");
  prune->callback([force, status] { *status = Prune(); });
}

}  // namespace builder::cli
