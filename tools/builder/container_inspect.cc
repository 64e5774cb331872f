// Container inspect JSON, shaped as docker's.
#include "container_inspect.h"

#include "base/path.h"
#include "runner/network/netlink.h"
#include "runner/networks.h"

namespace builder::cli {

using Json = nlohmann::ordered_json;

namespace {
const char* kZeroTime = "0001-01-01T00:00:00Z";

// docker's port map: {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}.
void AddPort(Json& map, const runner::PortMapping& p, bool binding_ip_default) {
  Json& list = map[std::to_string(p.container_port) + "/" + p.protocol];
  if (!list.is_array()) list = Json::array();
  list.push_back({{"HostIp", p.host_ip.empty() && binding_ip_default ? "0.0.0.0" : p.host_ip},
                  {"HostPort", p.host_port == 0 ? "" : std::to_string(p.host_port)}});
}

// NetworkSettings as docker shapes it: one entry per network the container is on, filled from
// the live endpoints while it runs (address, gateway, MAC, published ports).
Json NetworkSettings(const runner::ContainerStore& store, const runner::ContainerView& v) {
  const runner::ContainerSpec& c = v.spec;
  std::vector<runner::Endpoint> live;
  auto nets = runner::Networks::Open(DirName(store.dir()));
  if (nets && v.state.active()) live = nets->Endpoints(c.id).value_or(std::vector<runner::Endpoint>{});
  Json networks = Json::object();
  Json ports = Json::object();
  auto network_entry = [](const std::string& id, const std::vector<std::string>& aliases) {
    return Json{{"IPAMConfig", nullptr}, {"Links", nullptr}, {"Aliases", aliases.empty() ? Json(nullptr) : Json(aliases)},
                {"NetworkID", id}, {"EndpointID", ""}, {"Gateway", ""}, {"IPAddress", ""},
                {"IPPrefixLen", 0}, {"IPv6Gateway", ""}, {"GlobalIPv6Address", ""},
                {"GlobalIPv6PrefixLen", 0}, {"MacAddress", ""}, {"DriverOpts", nullptr}};
  };
  if (!c.bridged()) {
    networks[c.network] = network_entry("", {});
  }
  for (const runner::NetworkAttachment& a : c.networks) {
    std::string id;
    if (nets) {
      if (auto info = nets->store().Get(a.name)) id = info->id;
    }
    networks[a.name] = network_entry(id, a.aliases);
  }
  for (const runner::Endpoint& e : live) {
    Json& n = networks[e.network.name];
    if (!n.is_object()) n = network_entry(e.network.id, e.lease.aliases);
    const std::string prefix = e.network.subnet.substr(e.network.subnet.find('/') + 1);
    n["NetworkID"] = e.network.id;
    n["EndpointID"] = e.lease.veth;
    n["Gateway"] = e.network.internal ? "" : e.network.gateway;
    n["IPAddress"] = e.lease.address;
    n["IPPrefixLen"] = std::stoi(prefix);
    n["MacAddress"] = runner::network::MacAddressFor(e.lease.address);
    for (const runner::PortMapping& p : e.lease.ports) AddPort(ports, p, true);
  }
  Json out = {{"Bridge", ""}, {"SandboxID", ""}, {"HairpinMode", false},
              {"SandboxKey", live.empty() || v.state.pid <= 0 ? "" : "/proc/" + std::to_string(v.state.pid) + "/ns/net"},
              {"Ports", ports}};
  // docker's top-level fields mirror the default network's endpoint.
  const Json* primary = networks.contains("bridge") ? &networks["bridge"] : nullptr;
  out["Gateway"] = primary ? (*primary)["Gateway"] : Json("");
  out["IPAddress"] = primary ? (*primary)["IPAddress"] : Json("");
  out["IPPrefixLen"] = primary ? (*primary)["IPPrefixLen"] : Json(0);
  out["MacAddress"] = primary ? (*primary)["MacAddress"] : Json("");
  out["Networks"] = networks;
  return out;
}

}  // namespace

Result<Json> DescribeContainer(const runner::ContainerStore& store, const std::string& id) {
  runner::ContainerView v = BUILDER_TRY(store.View(id));
  const runner::ContainerSpec& c = v.spec;
  const runner::ContainerState& s = v.state;
  std::vector<std::string> argv = c.Argv();
  Json out;
  out["Id"] = c.id;
  out["Created"] = c.created;
  out["Path"] = argv.empty() ? "" : argv.front();
  out["Args"] = argv.empty() ? std::vector<std::string>{} : std::vector<std::string>(argv.begin() + 1, argv.end());
  Json state = {{"Status", runner::StatusName(s.status)},
                {"Running", s.status == runner::Status::kRunning || s.status == runner::Status::kPaused},
                {"Paused", s.status == runner::Status::kPaused},
                {"Restarting", s.status == runner::Status::kRestarting},
                {"OOMKilled", s.oom_killed},
                {"Dead", s.status == runner::Status::kDead},
                {"Pid", s.status == runner::Status::kRunning ? s.pid : 0},
                {"ExitCode", s.exit_code},
                {"Error", s.error},
                {"StartedAt", s.started_at.empty() ? kZeroTime : s.started_at},
                {"FinishedAt", s.finished_at.empty() ? kZeroTime : s.finished_at}};
  if (!s.health.empty()) {
    state["Health"] = {{"Status", s.health}, {"FailingStreak", s.health_failing_streak}, {"Log", Json::array()}};
  }
  out["State"] = state;
  out["Image"] = c.image_id;
  out["ResolvConfPath"] = store.DirOf(id) + "/resolv.conf";
  out["HostnamePath"] = store.DirOf(id) + "/hostname";
  out["HostsPath"] = store.DirOf(id) + "/hosts";
  out["LogPath"] = store.LogPath(id);
  out["Name"] = "/" + c.name;
  out["RestartCount"] = s.restart_count;
  out["Driver"] = "overlay";
  Json binds = Json::array(), tmpfs = Json::object();
  for (const auto& m : c.mounts) {
    if (m.type == "bind") binds.push_back(m.source + ":" + m.destination + (m.read_only ? ":ro" : ""));
    if (m.type == "tmpfs") tmpfs[m.destination] = m.options;
  }
  Json ulimits = Json::array();
  for (const std::string& u : c.limits.ulimits) ulimits.push_back(u);
  Json bindings = Json::object();
  for (const std::string& p : c.ports) {
    if (auto m = runner::network::ParsePortMapping(p)) AddPort(bindings, *m, false);
  }
  Json links = Json::array();
  for (const std::string& l : c.links) {
    const size_t colon = l.find(':');
    links.push_back("/" + l.substr(0, colon) + ":/" + c.name + "/" + (colon == std::string::npos ? l : l.substr(colon + 1)));
  }
  out["HostConfig"] = {{"Binds", binds},
                       {"NetworkMode", c.network},
                       {"PortBindings", bindings},
                       {"Links", links.empty() ? Json(nullptr) : links},
                       {"Dns", c.dns},
                       {"ExtraHosts", c.extra_hosts.empty() ? Json(nullptr) : Json(c.extra_hosts)},
                       {"RestartPolicy", {{"Name", c.restart.name}, {"MaximumRetryCount", c.restart.max_retries}}},
                       {"AutoRemove", c.auto_remove},
                       {"CapAdd", c.limits.cap_add},
                       {"CapDrop", c.limits.cap_drop},
                       {"Privileged", c.limits.privileged},
                       {"ReadonlyRootfs", c.read_only},
                       {"SecurityOpt", c.limits.security_opt},
                       {"Tmpfs", tmpfs},
                       {"Memory", c.limits.memory},
                       {"NanoCpus", c.limits.nano_cpus},
                       {"PidsLimit", c.limits.pids_limit},
                       {"Ulimits", ulimits},
                       {"Init", c.limits.init}};
  out["GraphDriver"] = {{"Name", "overlay"},
                        {"Data", {{"LowerDir", c.rootfs_layers.empty() ? "" : c.rootfs_layers.front()},
                                  {"UpperDir", store.DirOf(id) + "/upper"},
                                  {"WorkDir", store.DirOf(id) + "/work"}}}};
  Json mounts = Json::array();
  for (const auto& m : c.mounts) {
    mounts.push_back({{"Type", m.type},
                      {"Source", m.source},
                      {"Destination", m.destination},
                      {"Mode", m.read_only ? "ro" : ""},
                      {"RW", !m.read_only}});
  }
  out["Mounts"] = mounts;
  Json config = {{"Hostname", c.hostname},
                 {"User", c.user},
                 {"Tty", c.tty},
                 {"OpenStdin", c.open_stdin},
                 {"Env", c.env},
                 {"Cmd", c.cmd},
                 {"Image", c.image},
                 {"WorkingDir", c.working_dir},
                 {"Entrypoint", c.entrypoint.empty() ? Json(nullptr) : Json(c.entrypoint)},
                 {"Labels", c.labels}};
  if (!c.stop_signal.empty()) config["StopSignal"] = c.stop_signal;
  if (c.stop_timeout) config["StopTimeout"] = *c.stop_timeout;
  out["Config"] = config;
  out["NetworkSettings"] = NetworkSettings(store, v);
  return out;
}

}  // namespace builder::cli
