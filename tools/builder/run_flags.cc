// Shared run/create flags.
#include "run_flags.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "base/log.h"
#include "base/path.h"
#include "registry/curl_transport.h"
#include "registry/image_puller.h"
#include "runner/container_sandbox.h"
#include "runner/mount_options.h"
#include "runner/networks.h"

namespace builder::cli {
namespace {

// -e K takes K's value from our environment (and is dropped when unset), as docker.
void AddEnv(std::vector<std::string>& out, const std::string& entry) {
  if (entry.find('=') != std::string::npos) {
    out.push_back(entry);
    return;
  }
  if (const char* v = std::getenv(entry.c_str())) out.push_back(entry + "=" + v);
}

Result<std::vector<std::string>> ReadLines(const std::string& path) {
  std::string text = BUILDER_TRY(ReadFile(path));
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    out.push_back(line.substr(first));
  }
  return out;
}

}  // namespace

void AddRunFlags(CLI::App* cmd, RunFlags* f) {
  // docker's -h is --hostname: help is --help alone.
  cmd->set_help_flag("--help", "Print usage");
  cmd->add_option("--name", f->name, "Assign a name to the container");
  cmd->add_option("-e,--env", f->env, "Set environment variables")->allow_extra_args(false);
  cmd->add_option("--env-file", f->env_files, "Read in a file of environment variables")->allow_extra_args(false);
  cmd->add_option("-v,--volume", f->volumes, "Bind mount a volume")->allow_extra_args(false);
  cmd->add_option("--mount", f->mounts, "Attach a filesystem mount to the container")->allow_extra_args(false);
  cmd->add_option("--tmpfs", f->tmpfs, "Mount a tmpfs directory")->allow_extra_args(false);
  cmd->add_option("-l,--label", f->labels, "Set meta data on a container")->allow_extra_args(false);
  cmd->add_option("--label-file", f->label_files, "Read in a line delimited file of labels")->allow_extra_args(false);
  f->entrypoint_opt = cmd->add_option("--entrypoint", f->entrypoint, "Overwrite the default ENTRYPOINT of the image");
  f->workdir_opt = cmd->add_option("-w,--workdir", f->workdir, "Working directory inside the container");
  f->user_opt = cmd->add_option("-u,--user", f->user, "Username or UID (format: <name|uid>[:<group|gid>])");
  cmd->add_option("-h,--hostname", f->hostname, "Container host name");
  cmd->add_option("--network,--net", f->networks, "Connect a container to a network (host, none, bridge or a network's name, or name=NET[,alias=A]; repeatable for user-defined networks; default bridge, rootless through pasta)")->allow_extra_args(false);
  cmd->add_option("-p,--publish", f->publish, "Publish a container's port(s) to the host ([IP:]HOST:CTR[/proto] or CTR)")->allow_extra_args(false);
  cmd->add_flag("-P,--publish-all", f->publish_all, "Publish all exposed ports to random ports");
  cmd->add_option("--dns", f->dns, "Set custom DNS servers")->allow_extra_args(false);
  cmd->add_option("--add-host", f->add_hosts, "Add a custom host-to-IP mapping (host:ip)")->allow_extra_args(false);
  cmd->add_option("--network-alias", f->network_aliases, "Add network-scoped alias for the container")->allow_extra_args(false);
  cmd->add_option("--link", f->links, "Add link to another container (NAME[:ALIAS]; a hosts entry)")->allow_extra_args(false);
  cmd->add_flag("--read-only", f->read_only, "Mount the container's root filesystem as read only");
  cmd->add_flag("--rm", f->auto_remove, "Automatically remove the container when it exits");
  cmd->add_flag("-t,--tty", f->tty, "Allocate a pseudo-TTY");
  cmd->add_flag("-i,--interactive", f->interactive, "Keep STDIN open even if not attached");
  cmd->add_option("--restart", f->restart, "Restart policy to apply when a container exits");
  cmd->add_option("--stop-signal", f->stop_signal, "Signal to stop the container");
  f->stop_timeout_opt = cmd->add_option("--stop-timeout", f->stop_timeout, "Timeout (in seconds) to stop a container");
  cmd->add_option("-m,--memory", f->memory, "Memory limit");
  cmd->add_option("--cpus", f->cpus, "Number of CPUs");
  cmd->add_option("--pids-limit", f->pids_limit, "Tune container pids limit (set -1 for unlimited)");
  cmd->add_option("--ulimit", f->ulimits, "Ulimit options")->allow_extra_args(false);
  cmd->add_option("--cap-add", f->cap_add, "Add Linux capabilities")->allow_extra_args(false);
  cmd->add_option("--cap-drop", f->cap_drop, "Drop Linux capabilities")->allow_extra_args(false);
  cmd->add_option("--security-opt", f->security_opt, "Security Options")->allow_extra_args(false);
  cmd->add_flag("--privileged", f->privileged, "Give extended privileges to this container");
  cmd->add_flag("--init", f->init, "Run an init inside the container that forwards signals and reaps processes");
  cmd->add_option("--pull", f->pull, "Pull image before running (\"always\", \"missing\", \"never\")");
  cmd->add_option("--health-cmd", f->health_cmd, "Command to run to check health");
  cmd->add_option("--health-interval", f->health_interval, "Time between running the check (ms|s|m|h)");
  cmd->add_option("--health-timeout", f->health_timeout, "Maximum time to allow one check to run (ms|s|m|h)");
  cmd->add_option("--health-start-period", f->health_start_period, "Start period for the container to initialize (ms|s|m|h)");
  cmd->add_option("--health-retries", f->health_retries, "Consecutive failures needed to report unhealthy");
  cmd->add_flag("--no-healthcheck", f->no_healthcheck, "Disable any container-specified HEALTHCHECK");
}

Result<std::int64_t> ParseDuration(std::string_view text) {
  std::int64_t total = 0;
  std::string_view rest = text;
  if (rest.empty()) return Fail(ErrorCode::kInvalidArgument, "invalid duration: empty");
  while (!rest.empty()) {
    std::size_t digits = 0;
    while (digits < rest.size() && ((rest[digits] >= '0' && rest[digits] <= '9') || rest[digits] == '.')) ++digits;
    std::size_t unit_len = digits;
    while (unit_len < rest.size() && !((rest[unit_len] >= '0' && rest[unit_len] <= '9') || rest[unit_len] == '.')) ++unit_len;
    const std::string number(rest.substr(0, digits));
    const std::string_view unit = rest.substr(digits, unit_len - digits);
    const double mult = unit == "ns" ? 1 : unit == "us" ? 1e3 : unit == "ms" ? 1e6 : unit == "s" ? 1e9
                      : unit == "m" ? 60e9 : unit == "h" ? 3600e9 : -1;
    if (number.empty() || mult < 0) {
      return Fail(ErrorCode::kInvalidArgument, "invalid duration: " + std::string(text));
    }
    total += static_cast<std::int64_t>(std::strtod(number.c_str(), nullptr) * mult);
    rest.remove_prefix(unit_len);
  }
  return total;
}

Result<std::int64_t> ParseBytes(std::string_view text) {
  char* end = nullptr;
  std::string s(text);
  double v = std::strtod(s.c_str(), &end);
  std::string unit = end ? std::string(end) : "";
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'b' && unit.size() == 2) unit.pop_back();
  double mult = unit.empty() || unit == "b" ? 1 : unit == "k" ? 1024.0 : unit == "m" ? 1048576.0
              : unit == "g" ? 1073741824.0 : unit == "t" ? 1099511627776.0 : -1;
  if (end == s.c_str() || mult < 0 || v < 0) {
    return Fail(ErrorCode::kInvalidArgument, "invalid size: '" + s + "'");
  }
  return static_cast<std::int64_t>(v * mult);
}

Result<runner::NetworkAttachment> ParseNetworkFlag(const std::string& value) {
  runner::NetworkAttachment a;
  if (value.find('=') == std::string::npos) {
    a.name = value;
  } else {
    // docker's advanced syntax: comma-separated KEY=VALUE; only what builder's networks have.
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      const std::string field = value.substr(start, comma - start);
      const std::size_t eq = field.find('=');
      const std::string key = field.substr(0, eq), v = eq == std::string::npos ? "" : field.substr(eq + 1);
      if (key == "name" && !v.empty()) {
        a.name = v;
      } else if (key == "alias" && !v.empty()) {
        a.aliases.push_back(v);
      } else {
        return Fail(ErrorCode::kInvalidArgument, "invalid argument \"" + value +
                                                     "\" for \"--network\" flag: want NAME or name=NAME[,alias=ALIAS]...");
      }
      start = comma + 1;
    }
  }
  if (a.name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "invalid argument \"" + value + "\" for \"--network\" flag: no network name");
  }
  return a;
}

Result<runner::CreateOptions> ToCreateOptions(const RunFlags& f, const std::string& image,
                                              std::vector<std::string> args) {
  runner::CreateOptions o;
  o.name = f.name;
  o.image = image;
  o.args = std::move(args);
  if (f.entrypoint_opt->count() > 0) o.entrypoint = f.entrypoint;
  if (f.workdir_opt->count() > 0) o.workdir = f.workdir;
  if (f.user_opt->count() > 0) o.user = f.user;
  for (const std::string& file : f.env_files) {
    for (const std::string& line : BUILDER_TRY(ReadLines(file))) AddEnv(o.env, line);
  }
  for (const std::string& e : f.env) AddEnv(o.env, e);
  o.hostname = f.hostname;
  if (f.networks.empty()) {
    // Rootless without a working pasta: an isolated namespace, said once, never the host's.
    runner::DefaultNetwork chosen = runner::ChooseDefaultNetwork();
    if (!chosen.fallback.empty()) LogWarn("the container has no network (--network none): " + chosen.fallback);
    o.network = chosen.mode;
  }
  for (const std::string& n : f.networks) {
    runner::NetworkAttachment a = BUILDER_TRY(ParseNetworkFlag(n));
    if (&n == &f.networks.front()) {
      o.network = a.name;
      // docker: the plain --network-alias belongs to the first network, unless that one has its own.
      if (!a.aliases.empty() && !f.network_aliases.empty()) {
        return Fail(ErrorCode::kInvalidArgument,
                    "conflicting options: cannot specify both --network-alias and per-network alias");
      }
      o.first_network_aliases = a.aliases;
    } else {
      o.extra_networks.push_back(std::move(a));
    }
  }
  o.ports = f.publish;
  o.publish_all = f.publish_all;
  o.dns = f.dns;
  o.network_aliases = f.network_aliases;
  for (const std::string& l : f.links) {
    const std::size_t colon = l.find(':');
    if (l.empty() || colon == 0 || colon + 1 == l.size()) {
      return Fail(ErrorCode::kInvalidArgument, "invalid argument \"" + l + "\" for \"--link\" flag: want NAME[:ALIAS]");
    }
    o.links.push_back(l);
  }
  for (const std::string& h : f.add_hosts) {
    std::size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == h.size()) {
      return Fail(ErrorCode::kInvalidArgument, "invalid argument \"" + h + "\" for \"--add-host\" flag: bad format for add-host");
    }
    o.extra_hosts.push_back(h);
  }
  for (const std::string& v : f.volumes) {
    runner::MountSpec m = BUILDER_TRY(runner::ParseVolumeFlag(v));
    BUILDER_TRY(runner::PrepareBindSource(m, true));
    o.mounts.push_back(std::move(m));
  }
  for (const std::string& v : f.mounts) {
    runner::MountSpec m = BUILDER_TRY(runner::ParseMountFlag(v));
    BUILDER_TRY(runner::PrepareBindSource(m, false));
    o.mounts.push_back(std::move(m));
  }
  for (const std::string& t : f.tmpfs) o.mounts.push_back(BUILDER_TRY(runner::ParseTmpfsFlag(t)));
  for (const std::string& file : f.label_files) {
    for (const std::string& line : BUILDER_TRY(ReadLines(file))) {
      std::size_t eq = line.find('=');
      o.labels[line.substr(0, eq)] = eq == std::string::npos ? "" : line.substr(eq + 1);
    }
  }
  for (const std::string& l : f.labels) {
    std::size_t eq = l.find('=');
    o.labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  o.read_only = f.read_only;
  o.auto_remove = f.auto_remove;
  o.tty = f.tty;
  o.open_stdin = f.interactive;
  o.restart = BUILDER_TRY(runner::ParseRestartPolicy(f.restart));
  if (!f.stop_signal.empty()) o.stop_signal = f.stop_signal;
  if (f.stop_timeout_opt->count() > 0) o.stop_timeout = f.stop_timeout;
  if (!f.memory.empty()) o.limits.memory = BUILDER_TRY(ParseBytes(f.memory));
  if (!f.cpus.empty()) {
    char* end = nullptr;
    double cpus = std::strtod(f.cpus.c_str(), &end);
    if (end == f.cpus.c_str() || *end != '\0' || cpus < 0) {
      return Fail(ErrorCode::kInvalidArgument, "invalid argument \"" + f.cpus + "\" for \"--cpus\" flag");
    }
    o.limits.nano_cpus = static_cast<std::int64_t>(std::llround(cpus * 1e9));
  }
  o.limits.pids_limit = f.pids_limit;
  // Rootless without delegated cgroups: say so once, and run without them (as podman does).
  if (std::string why = runner::CgroupLimitsUnavailable(o.limits); !why.empty()) {
    LogWarn("resource limits (--memory, --cpus, --pids-limit) are not applied: " + why);
    o.limits.memory = 0;
    o.limits.nano_cpus = 0;
    o.limits.pids_limit = 0;
  }
  o.limits.ulimits = f.ulimits;
  o.limits.cap_add = f.cap_add;
  o.limits.cap_drop = f.cap_drop;
  o.limits.privileged = f.privileged;
  o.limits.security_opt = f.security_opt;
  o.limits.init = f.init;
  if (!f.health_cmd.empty() || !f.health_interval.empty() || !f.health_timeout.empty() ||
      !f.health_start_period.empty() || f.health_retries > 0) {
    runner::HealthSpec h{.test = {}, .interval_ns = 0, .timeout_ns = 0, .start_period_ns = 0, .retries = 0};
    if (!f.health_cmd.empty()) h.test = {"CMD-SHELL", f.health_cmd};
    if (!f.health_interval.empty()) h.interval_ns = BUILDER_TRY(ParseDuration(f.health_interval));
    if (!f.health_timeout.empty()) h.timeout_ns = BUILDER_TRY(ParseDuration(f.health_timeout));
    if (!f.health_start_period.empty()) h.start_period_ns = BUILDER_TRY(ParseDuration(f.health_start_period));
    h.retries = f.health_retries;
    o.health = h;
  }
  o.no_healthcheck = f.no_healthcheck;
  if (f.pull != "missing" && f.pull != "always" && f.pull != "never") {
    return Fail(ErrorCode::kInvalidArgument, "invalid pull option: '" + f.pull + "': must be one of \"always\", \"missing\" or \"never\"");
  }
  return o;
}

Result<oci::StoredImage> ImageForRun(const oci::ImageStore& store, const std::string& image,
                                     const std::string& pull_policy) {
  if (pull_policy != "always") {
    auto found = store.Resolve(image);
    if (found || found.error().code() != ErrorCode::kNotFound || pull_policy == "never") return found;
  }
  oci::Reference ref = BUILDER_TRY(oci::Reference::ParseDockerRef(image));
  if (pull_policy != "always") {
    std::cerr << "Unable to find image '" << ref.FamiliarString() << "' locally\n";
  }
  auto transport = registry::MakeCurlTransport();
  registry::PullOptions options;
  registry::PulledImage pulled = BUILDER_TRY(registry::PullImage(store, *transport, ref, options));
  std::cerr << "Digest: " << pulled.digest.str() << "\n";
  return store.Resolve(pulled.reference.String());
}

}  // namespace builder::cli
