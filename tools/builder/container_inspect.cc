// Container inspect JSON, shaped as docker's.
#include "container_inspect.h"

namespace builder::cli {

using Json = nlohmann::ordered_json;

namespace {
const char* kZeroTime = "0001-01-01T00:00:00Z";
}

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
  out["HostConfig"] = {{"Binds", binds},
                       {"NetworkMode", c.network},
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
  return out;
}

}  // namespace builder::cli
