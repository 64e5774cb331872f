// ContainerState: what a container is doing now (its state.json), written by the monitor and the
// commands that change it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"

namespace builder::runner {

enum class Status { kCreated, kRunning, kPaused, kRestarting, kExited, kDead, kRemoving };

/// docker's lowercase names: "created", "running", ...
const char* StatusName(Status status);
/// The inverse of StatusName; kInvalidArgument for an unknown name.
[[nodiscard]] Result<Status> ParseStatus(std::string_view name);

struct ContainerState {
  Status status = Status::kCreated;
  pid_t pid = 0;                   ///< host pid of the container's init, 0 when not running
  std::uint64_t pid_start = 0;     ///< its start time (/proc/PID/stat field 22)
  pid_t monitor_pid = 0;           ///< the monitor process, 0 when none
  std::uint64_t monitor_start = 0;
  std::string started_at;   ///< RFC 3339 nano, "" until first start
  std::string finished_at;  ///< "" until first exit
  int exit_code = 0;
  bool oom_killed = false;
  std::string error;          ///< why the last start failed
  int restart_count = 0;
  std::string health;         ///< "", "starting", "healthy", "unhealthy"
  int health_failing_streak = 0;
  bool stop_requested = false;  ///< stop/kill by a user: no restart (docker's manual stop)
  /// Ports pasta publishes for the running container (rootless), as `port` prints them:
  /// "80/tcp -> 0.0.0.0:8080". Root's bridge keeps its ports in the network's lease instead.
  std::vector<std::string> published_ports;

  bool operator==(const ContainerState&) const = default;

  bool active() const {
    return status == Status::kRunning || status == Status::kPaused ||
           status == Status::kRestarting;
  }

  std::string Serialize() const;
  [[nodiscard]] static Result<ContainerState> Parse(std::string_view json);
};

/// Now in RFC 3339 with nanoseconds (UTC), as docker's timestamps.
std::string NowTimestamp();

}  // namespace builder::runner
