// Image config + flags -> a stored container.
#include "runner/container_create.h"

#include <algorithm>
#include <charconv>

#include <fcntl.h>

#include <set>

#include "base/path.h"
#include "oci/safe_path.h"
#include "oci/snapshot_store.h"
#include "runner/network/network_store.h"
#include "runner/network/port_mapping.h"
#include "runner/volume_store.h"

namespace builder::runner {
namespace {

void SetEnv(std::vector<std::string>& env, const std::string& entry) {
  const std::string key = entry.substr(0, entry.find('='));
  for (std::string& e : env) {
    if (e.substr(0, e.find('=')) == key) {
      e = entry;
      return;
    }
  }
  env.push_back(entry);
}

// Named and anonymous volumes (-v NAME:/dst, -v /dst, the image's Volumes): made, filled from
// the image's content at their destination on first use (docker's copy-up), and recorded as
// used by the container.
Result<void> AttachVolumes(const std::string& root, const std::string& rootfs, const ContainerSpec& spec) {
  bool any = false;
  for (const MountSpec& m : spec.mounts) any = any || m.type == "volume";
  if (!any) return {};
  VolumeStore volumes = BUILDER_TRY(VolumeStore::Open(root));
  UniqueFd root_fd(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) return FailErrno("open " + rootfs, errno);
  for (const MountSpec& m : spec.mounts) {
    if (m.type != "volume") continue;
    VolumeInfo info = BUILDER_TRY(volumes.GetOrCreate(m.source));
    auto dir = oci::ResolveDirInRoot(root_fd.get(), m.destination, false);
    if (dir) {
      BUILDER_TRY(volumes.CopyUpIfEmpty(info.name, rootfs + "/" + dir->path));
    } else if (dir.error().sys_errno() != ENOENT && dir.error().sys_errno() != ENOTDIR) {
      return Fail(std::move(dir.error()).Context("volume " + info.name + " at " + m.destination));
    }
    BUILDER_TRY(volumes.AddUser(info.name, spec.id));
  }
  return {};
}

}  // namespace

Result<RestartPolicy> ParseRestartPolicy(std::string_view text) {
  RestartPolicy p;
  std::size_t colon = text.find(':');
  p.name = std::string(text.substr(0, colon));
  if (p.name.empty()) p.name = "no";
  if (p.name != "no" && p.name != "always" && p.name != "unless-stopped" && p.name != "on-failure") {
    return Fail(ErrorCode::kInvalidArgument, "invalid restart policy: " + std::string(text));
  }
  if (colon != std::string_view::npos) {
    std::string_view n = text.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), p.max_retries);
    if (p.name != "on-failure" || ec != std::errc() || ptr != n.data() + n.size() || p.max_retries < 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "invalid restart policy: maximum retry count can only be used with 'on-failure' "
                  "and must be a non-negative number: " + std::string(text));
    }
  }
  return p;
}

namespace {

// The network flags checked (network exists, ports parse) and copied; -P adds the image's
// exposed ports not already published.
Result<void> ApplyNetworkOptions(const std::string& root, const oci::ContainerConfig& config,
                                 const CreateOptions& options, ContainerSpec& spec) {
  const bool bridged = spec.bridged();
  if (!bridged && (!options.ports.empty() || !options.dns.empty() || !options.network_aliases.empty() ||
                   !options.first_network_aliases.empty() || !options.links.empty())) {
    // docker refuses these on host/none networking, except -P (ignored there).
    return Fail(ErrorCode::kInvalidArgument, "conflicting options: port publishing, --dns, --link and "
                "--network-alias need a bridge network, not --network " + spec.network);
  }
  if (!options.extra_networks.empty()) {
    // docker: several networks only when all are user-defined ones.
    std::set<std::string> names = {spec.network};
    for (const NetworkAttachment& n : options.extra_networks) {
      if (!bridged || spec.network == network::kDefaultNetwork || n.name == network::kDefaultNetwork ||
          n.name == "host" || n.name == "none") {
        return Fail(ErrorCode::kInvalidArgument,
                    "conflicting options: cannot attach both user-defined and non-user-defined network-modes");
      }
      if (!names.insert(n.name).second) {
        return Fail(ErrorCode::kInvalidArgument, "network \"" + n.name + "\" is specified multiple times");
      }
    }
  }
  if (bridged && spec.network != network::kDefaultNetwork) {
    network::NetworkStore nets = BUILDER_TRY(network::NetworkStore::Open(root));
    BUILDER_TRY(nets.Get(spec.network));
    for (const NetworkAttachment& n : options.extra_networks) BUILDER_TRY(nets.Get(n.name));
  }
  std::set<std::string> published;
  for (const std::string& p : options.ports) {
    network::PortMapping m = BUILDER_TRY(network::ParsePortMapping(p));
    published.insert(std::to_string(m.container_port) + "/" + m.protocol);
    spec.ports.push_back(p);
  }
  if (options.publish_all && bridged) {
    for (const std::string& e : config.exposed_ports) {
      std::string port = e.find('/') == std::string::npos ? e + "/tcp" : e;
      BUILDER_TRY(network::ParsePortMapping(port));
      if (published.insert(port).second) spec.ports.push_back(port);
    }
  }
  spec.dns = options.dns;
  spec.extra_hosts = options.extra_hosts;
  spec.network_aliases = options.network_aliases;
  if (bridged) {
    std::vector<std::string> first = options.network_aliases;
    first.insert(first.end(), options.first_network_aliases.begin(), options.first_network_aliases.end());
    spec.networks = {{spec.network, std::move(first)}};
    spec.networks.insert(spec.networks.end(), options.extra_networks.begin(), options.extra_networks.end());
  }
  spec.links = options.links;
  return {};
}

}  // namespace

Result<ContainerSpec> CreateContainer(const oci::ImageStore& images,
                                      const ContainerStore& containers,
                                      const oci::StoredImage& image,
                                      const CreateOptions& options) {
  if (options.auto_remove && options.restart.name != "no") {
    return Fail(ErrorCode::kInvalidArgument,
                "conflicting options: cannot specify both --restart and --rm");
  }
  const oci::ContainerConfig& config = image.config.config;
  ContainerSpec spec;
  spec.name = options.name;
  spec.image = options.image;
  spec.image_id = image.id().str();
  spec.rootfs_layers = {BUILDER_TRY(oci::SnapshotStore(images).Prepare(image))};
  // docker: --entrypoint replaces the image's and drops its Cmd; args replace Cmd.
  if (options.entrypoint) {
    spec.entrypoint.clear();
    if (!options.entrypoint->empty()) spec.entrypoint = {*options.entrypoint};
    spec.cmd = options.args;
  } else {
    spec.entrypoint = config.entrypoint;
    spec.cmd = options.args.empty() ? config.cmd : options.args;
  }
  if (spec.Argv().empty()) {
    return Fail(ErrorCode::kInvalidArgument, "no command specified");
  }
  spec.env = config.env;
  for (const std::string& e : options.env) SetEnv(spec.env, e);
  spec.working_dir = options.workdir.value_or(config.working_dir);
  spec.user = options.user.value_or(config.user);
  spec.hostname = options.hostname;
  spec.network = options.network;
  BUILDER_TRY(ApplyNetworkOptions(images.root(), config, options, spec));
  spec.mounts = options.mounts;
  // The image's Volumes not covered by a mount become anonymous volumes, as docker's.
  std::set<std::string> covered;
  for (const MountSpec& m : spec.mounts) covered.insert(m.destination);
  for (const std::string& v : config.volumes) {
    if (!covered.contains(CleanPath(v))) spec.mounts.push_back(MountSpec{.type = "volume", .destination = CleanPath(v)});
  }
  if (std::any_of(spec.mounts.begin(), spec.mounts.end(), [](const MountSpec& m) { return m.type == "volume"; })) {
    VolumeStore volumes = BUILDER_TRY(VolumeStore::Open(images.root()));
    for (MountSpec& m : spec.mounts) {
      if (m.type == "volume" && m.source.empty()) m.source = BUILDER_TRY(volumes.Create("")).name;
    }
  }
  spec.read_only = options.read_only;
  spec.auto_remove = options.auto_remove;
  spec.tty = options.tty;
  spec.tty_rows = options.tty_rows;
  spec.tty_cols = options.tty_cols;
  spec.open_stdin = options.open_stdin;
  spec.labels = config.labels;
  for (const auto& [k, v] : options.labels) spec.labels[k] = v;
  spec.restart = options.restart;
  spec.stop_signal = options.stop_signal.value_or(config.stop_signal);
  spec.stop_timeout = options.stop_timeout;
  spec.limits = options.limits;
  if (config.healthcheck && !config.healthcheck->test.empty() &&
      config.healthcheck->test.front() != "NONE") {
    const oci::Healthcheck& h = *config.healthcheck;
    HealthSpec health;
    health.test = h.test;
    if (h.interval > 0) health.interval_ns = h.interval;
    if (h.timeout > 0) health.timeout_ns = h.timeout;
    health.start_period_ns = h.start_period;
    if (h.retries > 0) health.retries = h.retries;
    spec.health = health;
  }
  if (options.health) {
    HealthSpec merged = spec.health.value_or(HealthSpec{});
    const HealthSpec& h = *options.health;
    if (!h.test.empty()) merged.test = h.test;
    if (h.interval_ns > 0) merged.interval_ns = h.interval_ns;
    if (h.timeout_ns > 0) merged.timeout_ns = h.timeout_ns;
    if (h.start_period_ns > 0) merged.start_period_ns = h.start_period_ns;
    if (h.retries > 0) merged.retries = h.retries;
    if (!merged.test.empty()) spec.health = merged;
  }
  if (options.no_healthcheck) spec.health.reset();
  ContainerSpec stored = BUILDER_TRY(containers.Create(std::move(spec)));
  if (auto attached = AttachVolumes(images.root(), stored.rootfs_layers.front(), stored); !attached) {
    (void)containers.Remove(stored.id);
    return Fail(std::move(attached.error()));
  }
  return stored;
}

}  // namespace builder::runner
