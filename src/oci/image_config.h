// ImageConfig: the image configuration blob (OCI image config with Docker's extensions).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/digest.h"
#include "oci/platform.h"

namespace builder::oci {

/// HEALTHCHECK settings; durations in nanoseconds, as Docker writes them. Test is
/// ["NONE"], ["CMD", args...] or ["CMD-SHELL", command].
struct Healthcheck {
  std::vector<std::string> test;
  std::int64_t interval = 0;
  std::int64_t timeout = 0;
  std::int64_t start_period = 0;
  std::int64_t start_interval = 0;
  int retries = 0;

  bool operator==(const Healthcheck&) const = default;
};

/// The "config" object: how to run a container from the image. JSON keys are Docker's
/// PascalCase names (User, ExposedPorts, ...).
struct ContainerConfig {
  std::string user;
  std::set<std::string> exposed_ports;  ///< "80/tcp"
  std::vector<std::string> env;         ///< "KEY=value"
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::set<std::string> volumes;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  bool args_escaped = false;
  std::optional<Healthcheck> healthcheck;
  std::vector<std::string> on_build;
  std::vector<std::string> shell;

  bool operator==(const ContainerConfig&) const = default;
};

/// One history entry; empty_layer marks steps that produced no layer.
struct HistoryEntry {
  std::string created;  ///< RFC 3339, kept as written
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;

  bool operator==(const HistoryEntry&) const = default;
};

/// The layers as uncompressed-tar digests, bottom first.
struct RootFs {
  std::string type = "layers";
  std::vector<Digest> diff_ids;

  /// The chain ids of the layer stack, one per diff_id: the first is diff_ids[0], each next
  /// one sha256("<previous chain id> <diff_id>"). They name unpacked snapshots.
  std::vector<Digest> ChainIds() const;

  bool operator==(const RootFs&) const = default;
};

/// The image config blob (application/vnd.oci.image.config.v1+json, or Docker's
/// application/vnd.docker.container.image.v1+json: the JSON is the same).
struct ImageConfig {
  std::string created;  ///< RFC 3339, kept as written
  std::string author;
  std::string architecture;
  std::string os;
  std::string os_version;                ///< "os.version"
  std::vector<std::string> os_features;  ///< "os.features"
  std::string variant;
  ContainerConfig config;
  RootFs rootfs;
  std::vector<HistoryEntry> history;

  /// Parses an image config. architecture, os and rootfs are required, rootfs.type must be
  /// "layers", every diff_id a valid digest, every Env entry "KEY=value" with a non-empty KEY.
  /// JSON null is taken as unset everywhere (Docker writes "Volumes": null). Unknown fields
  /// (container_config, docker_version, Hostname, ...) are ignored.
  /// Errors: kParse for malformed JSON, kCorrupt naming the field ("config.config.Env[2]").
  [[nodiscard]] static Result<ImageConfig> Parse(std::string_view json);
  /// Canonical JSON: created, author, architecture, os, os.version, os.features, variant,
  /// config{User, ExposedPorts, Env, Entrypoint, Cmd, Volumes, WorkingDir, Labels, StopSignal,
  /// ArgsEscaped, Healthcheck, OnBuild, Shell}, rootfs{type, diff_ids}, history[{created,
  /// created_by, author, comment, empty_layer}]. Empty optional fields are left out;
  /// architecture, os, config and rootfs are always written. No whitespace.
  std::string Serialize() const;

  /// The platform fields (architecture, os, os.version, os.features, variant) as a Platform.
  Platform platform() const;
  /// Sets the platform fields from p, as given (callers normalize first if they want to).
  void set_platform(const Platform& p);

  bool operator==(const ImageConfig&) const = default;
};

}  // namespace builder::oci
