// ContainerSpec <-> config.json.
#include "runner/container_spec.h"

#include <nlohmann/json.hpp>

namespace builder::runner {

using nlohmann::json;

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MountSpec, type, source, destination, read_only,
                                                options)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RestartPolicy, name, max_retries)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NetworkAttachment, name, aliases)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HealthSpec, test, interval_ns, timeout_ns,
                                                start_period_ns, retries)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LimitsSpec, memory, nano_cpus, pids_limit, ulimits,
                                                cap_add, cap_drop, privileged, security_opt, init)

std::vector<std::string> ContainerSpec::Argv() const {
  std::vector<std::string> argv = entrypoint;
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return argv;
}

std::string ContainerSpec::Serialize() const {
  json j = {{"id", id},
            {"name", name},
            {"created", created},
            {"image", image},
            {"image_id", image_id},
            {"rootfs_layers", rootfs_layers},
            {"entrypoint", entrypoint},
            {"cmd", cmd},
            {"env", env},
            {"working_dir", working_dir},
            {"user", user},
            {"hostname", hostname},
            {"network", network},
            {"ports", ports},
            {"dns", dns},
            {"extra_hosts", extra_hosts},
            {"network_aliases", network_aliases},
            {"networks", networks},
            {"links", links},
            {"mounts", mounts},
            {"read_only", read_only},
            {"auto_remove", auto_remove},
            {"tty", tty},
            {"tty_rows", tty_rows},
            {"tty_cols", tty_cols},
            {"open_stdin", open_stdin},
            {"labels", labels},
            {"restart", restart},
            {"stop_signal", stop_signal},
            {"limits", limits}};
  if (stop_timeout) j["stop_timeout"] = *stop_timeout;
  if (health) j["health"] = *health;
  return j.dump(2) + "\n";
}

Result<ContainerSpec> ContainerSpec::Parse(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Fail(ErrorCode::kCorrupt, "container config is not a JSON object");
  ContainerSpec s;
  try {
    s.id = j.at("id").get<std::string>();
    s.name = j.value("name", "");
    s.created = j.value("created", "");
    s.image = j.value("image", "");
    s.image_id = j.value("image_id", "");
    s.rootfs_layers = j.value("rootfs_layers", std::vector<std::string>{});
    s.entrypoint = j.value("entrypoint", std::vector<std::string>{});
    s.cmd = j.value("cmd", std::vector<std::string>{});
    s.env = j.value("env", std::vector<std::string>{});
    s.working_dir = j.value("working_dir", "");
    s.user = j.value("user", "");
    s.hostname = j.value("hostname", "");
    s.network = j.value("network", "host");
    s.ports = j.value("ports", std::vector<std::string>{});
    s.dns = j.value("dns", std::vector<std::string>{});
    s.extra_hosts = j.value("extra_hosts", std::vector<std::string>{});
    s.network_aliases = j.value("network_aliases", std::vector<std::string>{});
    if (j.contains("networks")) {
      s.networks = j["networks"].get<std::vector<NetworkAttachment>>();
    } else if (s.bridged()) {
      s.networks = {{s.network, s.network_aliases}};
    }
    s.links = j.value("links", std::vector<std::string>{});
    s.mounts = j.value("mounts", std::vector<MountSpec>{});
    s.read_only = j.value("read_only", false);
    s.auto_remove = j.value("auto_remove", false);
    s.tty = j.value("tty", false);
    s.tty_rows = j.value("tty_rows", static_cast<unsigned short>(0));
    s.tty_cols = j.value("tty_cols", static_cast<unsigned short>(0));
    s.open_stdin = j.value("open_stdin", false);
    s.labels = j.value("labels", std::map<std::string, std::string>{});
    s.restart = j.value("restart", RestartPolicy{});
    s.stop_signal = j.value("stop_signal", "");
    if (j.contains("stop_timeout")) s.stop_timeout = j["stop_timeout"].get<int>();
    s.limits = j.value("limits", LimitsSpec{});
    if (j.contains("health")) s.health = j["health"].get<HealthSpec>();
  } catch (const json::exception& e) {
    return Fail(ErrorCode::kCorrupt, std::string("container config: ") + e.what());
  }
  if (s.id.size() != 64) return Fail(ErrorCode::kCorrupt, "container config: bad id");
  return s;
}

}  // namespace builder::runner
