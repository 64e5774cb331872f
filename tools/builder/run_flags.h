// The flags `run` and `create` share, and turning them into runner::CreateOptions.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "oci/image_store.h"
#include "runner/container_create.h"

namespace builder::cli {

struct RunFlags {
  std::string name;
  std::vector<std::string> env, env_files, volumes, mounts, tmpfs, labels, label_files;
  std::string entrypoint, workdir, user, hostname;
  /// --network, repeatable: NAME or docker's advanced `name=NAME[,alias=A]...`; none given =
  /// runner::ChooseDefaultNetwork().
  std::vector<std::string> networks;
  CLI::Option* entrypoint_opt = nullptr;
  CLI::Option* workdir_opt = nullptr;
  CLI::Option* user_opt = nullptr;
  CLI::Option* stop_timeout_opt = nullptr;
  bool read_only = false, auto_remove = false, tty = false, interactive = false;
  std::string restart = "no";
  std::string stop_signal;
  int stop_timeout = 10;
  std::string memory, cpus;
  std::int64_t pids_limit = 0;
  std::vector<std::string> ulimits, cap_add, cap_drop, security_opt;
  bool privileged = false, init = false;
  std::string pull = "missing";
  std::string health_cmd, health_interval, health_timeout, health_start_period;
  int health_retries = 0;
  bool no_healthcheck = false;
  std::vector<std::string> publish, dns, add_hosts, network_aliases, links;
  bool publish_all = false;
};

/// Adds the shared flags to a `run` or `create` subcommand (which must also be prefix_command so
/// everything after IMAGE is the container's command).
void AddRunFlags(CLI::App* cmd, RunFlags* flags);

/// Validates the flags into options for runner::CreateContainer (env files read, -v bind
/// sources created, --mount sources checked, sizes parsed).
[[nodiscard]] Result<runner::CreateOptions> ToCreateOptions(const RunFlags& flags,
                                                            const std::string& image,
                                                            std::vector<std::string> args);

/// The image for run/create under --pull missing|always|never, pulled from its registry when
/// needed (progress on stderr, as docker's "Unable to find image ... locally").
[[nodiscard]] Result<oci::StoredImage> ImageForRun(const oci::ImageStore& store,
                                                   const std::string& image,
                                                   const std::string& pull_policy);

/// One --network value: NAME, or docker's advanced `name=NAME[,alias=ALIAS]...`;
/// kInvalidArgument for other keys (ip=, driver-opt=, ...) and a missing name.
[[nodiscard]] Result<runner::NetworkAttachment> ParseNetworkFlag(const std::string& value);

/// A Go duration ("30s", "1m30s", "500ms", "2h") in nanoseconds; kInvalidArgument otherwise.
[[nodiscard]] Result<std::int64_t> ParseDuration(std::string_view text);

/// docker's RAMInBytes: "32m", "1g", "512k", "100" (bytes).
[[nodiscard]] Result<std::int64_t> ParseBytes(std::string_view text);

}  // namespace builder::cli
