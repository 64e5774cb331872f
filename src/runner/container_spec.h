// ContainerSpec: the typed, stored description of one container (its config.json).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace builder::runner {

/// A host path or tmpfs made visible in the container (-v, --mount, --tmpfs).
struct MountSpec {
  std::string type = "bind";  ///< "bind", "tmpfs" or "volume"
  std::string source;         ///< host path (bind) or volume name; empty for tmpfs
  std::string destination;    ///< absolute path in the container
  bool read_only = false;
  std::string options;        ///< tmpfs options as given ("size=64m,mode=1777")
  bool operator==(const MountSpec&) const = default;
};

/// --restart: "no", "on-failure" (max_retries 0 = unlimited), "always", "unless-stopped".
struct RestartPolicy {
  std::string name = "no";
  int max_retries = 0;
  bool operator==(const RestartPolicy&) const = default;
};

/// Resource and privilege settings; the sandbox applies what it supports.
struct LimitsSpec {
  std::int64_t memory = 0;     ///< bytes, 0 = unlimited
  std::int64_t nano_cpus = 0;  ///< 1e9 = one cpu
  std::int64_t pids_limit = 0;
  std::vector<std::string> ulimits;  ///< "nofile=1024:2048"
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  bool privileged = false;
  std::vector<std::string> security_opt;
  bool init = false;
  bool operator==(const LimitsSpec&) const = default;
};

/// The health check the monitor runs (the image's HEALTHCHECK or --health-*); docker's
/// defaults: every 30s, 30s timeout, unhealthy after 3 failures in a row.
struct HealthSpec {
  std::vector<std::string> test;  ///< ["CMD", argv...] or ["CMD-SHELL", "command"]
  std::int64_t interval_ns = 30'000'000'000;
  std::int64_t timeout_ns = 30'000'000'000;
  std::int64_t start_period_ns = 0;
  int retries = 3;
  bool operator==(const HealthSpec&) const = default;
};

/// One network a bridged container joins, with its aliases there (`--network-alias`, `network
/// connect --alias`).
struct NetworkAttachment {
  std::string name;
  std::vector<std::string> aliases;
  bool operator==(const NetworkAttachment&) const = default;
};

struct ContainerSpec {
  std::string id;    ///< 64 hex
  std::string name;  ///< without docker's leading '/'
  std::string created;  ///< RFC 3339 with nanoseconds
  std::string image;    ///< as the user named it
  std::string image_id;  ///< "sha256:..." of the image config
  std::vector<std::string> rootfs_layers;  ///< snapshot dirs, topmost first

  std::vector<std::string> entrypoint;  ///< effective (image's or --entrypoint)
  std::vector<std::string> cmd;         ///< effective (image's or the run arguments)
  std::vector<std::string> env;         ///< "K=V", image's merged with -e/--env-file
  std::string working_dir;              ///< "" = "/"
  std::string user;                     ///< USER[:GROUP] as given or from the image
  std::string hostname;
  std::string network = "host";  ///< "host", "none" or a network's name ("bridge" = default)
  std::vector<std::string> ports;            ///< -p as given (and -P's exposed ports), checked
  std::vector<std::string> dns;              ///< --dns
  std::vector<std::string> extra_hosts;      ///< --add-host NAME:IP
  std::vector<std::string> network_aliases;  ///< --network-alias
  /// Bridged: the networks joined at start, in interface order (eth0 first); `network connect`
  /// and `disconnect` edit it. A spec without the key gets {network, network_aliases}.
  std::vector<NetworkAttachment> networks;
  std::vector<std::string> links;  ///< --link NAME[:ALIAS]
  std::vector<MountSpec> mounts;
  bool read_only = false;
  bool auto_remove = false;
  bool tty = false;
  unsigned short tty_rows = 0;  ///< the creator's window size, for the tty's first size
  unsigned short tty_cols = 0;
  bool open_stdin = false;
  std::map<std::string, std::string> labels;
  RestartPolicy restart;
  std::string stop_signal;  ///< "" = SIGTERM
  std::optional<int> stop_timeout;
  LimitsSpec limits;
  std::optional<HealthSpec> health;

  /// Whether the container joins a bridge network (not host or none).
  bool bridged() const { return network != "host" && network != "none"; }

  /// entrypoint + cmd: what runs.
  std::vector<std::string> Argv() const;

  bool operator==(const ContainerSpec&) const = default;

  std::string Serialize() const;
  /// Errors: kCorrupt for JSON that is not a container spec.
  [[nodiscard]] static Result<ContainerSpec> Parse(std::string_view json);
};

}  // namespace builder::runner
