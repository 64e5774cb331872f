// ContainerState <-> state.json.
#include "runner/container_state.h"

#include <time.h>

#include <array>
#include <nlohmann/json.hpp>

#include "oci/rootfs_importer.h"

namespace builder::runner {

using nlohmann::json;

namespace {
constexpr std::array<const char*, 7> kNames = {"created", "running",  "paused", "restarting",
                                               "exited",  "dead",     "removing"};
}

const char* StatusName(Status status) { return kNames[static_cast<std::size_t>(status)]; }

Result<Status> ParseStatus(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (name == kNames[i]) return static_cast<Status>(i);
  }
  return Fail(ErrorCode::kInvalidArgument, "unknown container status \"" + std::string(name) + "\"");
}

std::string ContainerState::Serialize() const {
  json j = {{"status", StatusName(status)},
            {"pid", pid},
            {"pid_start", pid_start},
            {"monitor_pid", monitor_pid},
            {"monitor_start", monitor_start},
            {"started_at", started_at},
            {"finished_at", finished_at},
            {"exit_code", exit_code},
            {"oom_killed", oom_killed},
            {"error", error},
            {"restart_count", restart_count},
            {"health", health},
            {"health_failing_streak", health_failing_streak},
            {"stop_requested", stop_requested}};
  if (!published_ports.empty()) j["published_ports"] = published_ports;
  return j.dump(2) + "\n";
}

Result<ContainerState> ContainerState::Parse(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Fail(ErrorCode::kCorrupt, "container state is not a JSON object");
  ContainerState s;
  try {
    auto status = ParseStatus(j.value("status", "created"));
    if (!status) return Fail(ErrorCode::kCorrupt, "container state: " + status.error().message());
    s.status = *status;
    s.pid = j.value("pid", 0);
    s.pid_start = j.value("pid_start", std::uint64_t{0});
    s.monitor_pid = j.value("monitor_pid", 0);
    s.monitor_start = j.value("monitor_start", std::uint64_t{0});
    s.started_at = j.value("started_at", "");
    s.finished_at = j.value("finished_at", "");
    s.exit_code = j.value("exit_code", 0);
    s.oom_killed = j.value("oom_killed", false);
    s.error = j.value("error", "");
    s.restart_count = j.value("restart_count", 0);
    s.health = j.value("health", "");
    s.health_failing_streak = j.value("health_failing_streak", 0);
    s.stop_requested = j.value("stop_requested", false);
    s.published_ports = j.value("published_ports", std::vector<std::string>{});
  } catch (const json::exception& e) {
    return Fail(ErrorCode::kCorrupt, std::string("container state: ") + e.what());
  }
  return s;
}

std::string NowTimestamp() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return oci::FormatRfc3339(ts.tv_sec, ts.tv_nsec);
}

}  // namespace builder::runner
