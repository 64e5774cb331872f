// Creating a container from an image and run/create options: the image config merged with the
// flags the way docker merges them, the rootfs snapshot prepared, the container stored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "oci/image_store.h"
#include "runner/container_spec.h"
#include "runner/container_store.h"

namespace builder::runner {

/// The flags of `run`/`create` after parsing (env values already taken from the host where only
/// a key was given).
struct CreateOptions {
  std::string name;
  std::string image;                    ///< as the user named it
  std::vector<std::string> args;        ///< after IMAGE: replaces the image's Cmd when not empty
  std::optional<std::string> entrypoint;  ///< --entrypoint ("" clears the image's)
  std::vector<std::string> env;         ///< K=V, over the image's Env
  std::optional<std::string> workdir;
  std::optional<std::string> user;
  std::string hostname;
  std::string network = "host";  ///< host, none, bridge or a network's name
  std::vector<std::string> ports;  ///< -p specs
  bool publish_all = false;        ///< -P: every ExposedPort of the image on a free host port
  std::vector<std::string> dns, extra_hosts, network_aliases;
  /// Aliases docker's advanced `--network name=N,alias=A` gives the first network (besides
  /// network_aliases, which also apply to it).
  std::vector<std::string> first_network_aliases;
  /// Networks after the first (`--network` repeated, user-defined networks only), in order:
  /// eth1, eth2, ...
  std::vector<NetworkAttachment> extra_networks;
  std::vector<std::string> links;  ///< --link NAME[:ALIAS]
  std::vector<MountSpec> mounts;
  bool read_only = false;
  bool auto_remove = false;
  bool tty = false;
  unsigned short tty_rows = 0, tty_cols = 0;  ///< the caller's window size with tty
  bool open_stdin = false;
  std::map<std::string, std::string> labels;
  RestartPolicy restart;
  std::optional<std::string> stop_signal;
  std::optional<int> stop_timeout;
  LimitsSpec limits;
  /// --health-cmd and friends, over the image's HEALTHCHECK; no_healthcheck drops both.
  std::optional<HealthSpec> health;
  bool no_healthcheck = false;
};

/// Stores a new container for `image` (already in the store). Errors: no command (neither
/// image nor flags give one), --rm with a restart policy, a name in use, an unpackable image.
[[nodiscard]] Result<ContainerSpec> CreateContainer(const oci::ImageStore& images,
                                                    const ContainerStore& containers,
                                                    const oci::StoredImage& image,
                                                    const CreateOptions& options);

/// --restart no|always|unless-stopped|on-failure[:N]
[[nodiscard]] Result<RestartPolicy> ParseRestartPolicy(std::string_view text);

}  // namespace builder::runner
