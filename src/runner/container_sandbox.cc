// ContainerSpec -> SandboxSpec.
#include "runner/container_sandbox.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "base/path.h"
#include "runner/mount_options.h"
#include "runner/volume_store.h"
#include "oci/merged_view.h"
#include "oci/user_db.h"
#include "sandbox/cgroup.h"

namespace builder::runner {
namespace {

constexpr const char* kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool HasKey(const std::vector<std::string>& env, std::string_view key) {
  for (const std::string& e : env) {
    if (e.size() > key.size() && e.starts_with(key) && e[key.size()] == '=') return true;
  }
  return false;
}

Result<int> RlimitByName(std::string_view name) {
  static const std::pair<const char*, int> kNames[] = {
      {"core", RLIMIT_CORE},       {"cpu", RLIMIT_CPU},         {"data", RLIMIT_DATA},
      {"fsize", RLIMIT_FSIZE},     {"locks", RLIMIT_LOCKS},     {"memlock", RLIMIT_MEMLOCK},
      {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},     {"nofile", RLIMIT_NOFILE},
      {"nproc", RLIMIT_NPROC},     {"rss", RLIMIT_RSS},         {"rtprio", RLIMIT_RTPRIO},
      {"rttime", RLIMIT_RTTIME},   {"sigpending", RLIMIT_SIGPENDING}, {"stack", RLIMIT_STACK},
      {"as", RLIMIT_AS}};
  for (const auto& [n, r] : kNames) {
    if (name == n) return r;
  }
  return Fail(ErrorCode::kInvalidArgument, "invalid ulimit type: " + std::string(name));
}

Result<std::uint64_t> ParseLimitValue(std::string_view v, std::string_view whole) {
  if (v == "-1" || v == "unlimited") return RLIM_INFINITY;
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return Fail(ErrorCode::kInvalidArgument, "invalid ulimit argument: " + std::string(whole));
  }
  return n;
}

struct Privileges {
  std::uint64_t capabilities = 0;
  bool privileged = false;
  bool no_new_privileges = false;
  sandbox::SeccompMode seccomp = sandbox::SeccompMode::kDefault;
  std::string seccomp_profile;
};

}  // namespace

Result<sandbox::ResourceLimit> ParseUlimit(std::string_view text) {
  std::size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "invalid ulimit argument: " + std::string(text));
  }
  sandbox::ResourceLimit limit{};
  limit.resource = BUILDER_TRY(RlimitByName(text.substr(0, eq)));
  std::string_view values = text.substr(eq + 1);
  std::size_t colon = values.find(':');
  limit.soft = BUILDER_TRY(ParseLimitValue(values.substr(0, colon), text));
  limit.hard = colon == std::string_view::npos ? limit.soft
                                               : BUILDER_TRY(ParseLimitValue(values.substr(colon + 1), text));
  if (limit.soft > limit.hard) {
    return Fail(ErrorCode::kInvalidArgument,
                "ulimit soft limit must be less than or equal to hard limit: " + std::string(text));
  }
  return limit;
}

Result<sandbox::TmpfsMount> ToTmpfs(const MountSpec& m) {
  sandbox::TmpfsMount t;
  t.destination = m.destination;
  t.read_only = m.read_only;
  std::size_t start = 0;
  const std::string& o = m.options;
  while (start < o.size()) {
    std::size_t comma = std::min(o.find(',', start), o.size());
    std::string opt = o.substr(start, comma - start);
    start = comma + 1;
    if (opt.starts_with("size=")) {
      std::string v = opt.substr(5);
      char* end = nullptr;
      double n = std::strtod(v.c_str(), &end);
      std::string unit = end;
      double mult = unit.empty() ? 1 : (unit == "k" || unit == "K") ? 1024.0
                  : (unit == "m" || unit == "M") ? 1048576.0 : (unit == "g" || unit == "G") ? 1073741824.0 : -1;
      if (end == v.c_str() || mult < 0) return Fail(ErrorCode::kInvalidArgument, "invalid tmpfs size: " + v);
      t.size_bytes = static_cast<std::uint64_t>(n * mult);
    } else if (opt.starts_with("mode=")) {
      t.mode = static_cast<mode_t>(std::strtoul(opt.c_str() + 5, nullptr, 8));
    } else if (opt == "ro") {
      t.read_only = true;
    } else if (opt == "noexec") {
      t.noexec = true;
    } else if (opt == "rw" || opt == "exec" || opt == "nosuid" || opt == "nodev" || opt.empty()) {
      continue;
    } else {
      return Fail(ErrorCode::kInvalidArgument, "invalid tmpfs option: " + opt);
    }
  }
  return t;
}

namespace {

Result<Privileges> PrivilegesFor(const LimitsSpec& l) {
  // docker run's defaults: its capability set and seccomp profile, no_new_privs on request.
  Privileges p;
  p.privileged = l.privileged;
  p.capabilities = sandbox::DefaultCapabilities();
  for (const std::string& c : l.cap_add) p.capabilities |= BUILDER_TRY(sandbox::CapabilityByName(c));
  for (const std::string& c : l.cap_drop) p.capabilities &= ~BUILDER_TRY(sandbox::CapabilityByName(c));
  for (const std::string& opt : l.security_opt) {
    std::string o = opt;
    if (std::size_t colon = o.find(':'); colon != std::string::npos && !o.starts_with("seccomp")) o[colon] = '=';
    if (o == "no-new-privileges" || o == "no-new-privileges=true") {
      p.no_new_privileges = true;
    } else if (o == "no-new-privileges=false") {
      p.no_new_privileges = false;
    } else if (o == "seccomp=unconfined" || o == "seccomp:unconfined") {
      p.seccomp = sandbox::SeccompMode::kUnconfined;
    } else if (o.starts_with("seccomp=") || o.starts_with("seccomp:")) {
      p.seccomp = sandbox::SeccompMode::kProfile;
      p.seccomp_profile = BUILDER_TRY(ReadFile(o.substr(8)));
    } else if (o.starts_with("label") || o.starts_with("apparmor")) {
      continue;  // no LSM here; docker ignores these where there is none too
    } else {
      return Fail(ErrorCode::kInvalidArgument, "invalid --security-opt: " + opt);
    }
  }
  return p;
}

std::vector<std::string> ContainerEnv(const ContainerSpec& container, const std::string& home) {
  std::vector<std::string> env = container.env;
  if (!HasKey(env, "PATH")) env.insert(env.begin(), kDefaultPath);
  if (!HasKey(env, "HOSTNAME")) env.push_back("HOSTNAME=" + container.hostname);
  if (!HasKey(env, "HOME")) env.push_back("HOME=" + home);
  return env;
}

bool HasCgroupLimits(const LimitsSpec& l) { return l.memory > 0 || l.nano_cpus > 0 || l.pids_limit > 0; }

// Every container has one, limits or not: pause freezes it, stats and top read it.
std::string ContainerCgroupName(const ContainerSpec& container) { return "builder/" + container.id; }

sandbox::CgroupLimits CgroupLimitsFor(const LimitsSpec& l) {
  sandbox::CgroupLimits out;
  out.memory_bytes = l.memory;
  out.cpu_quota_us = l.nano_cpus * out.cpu_period_us / 1000000000;
  out.pids_max = l.pids_limit;
  return out;
}

// Compiled seccomp programs, shared by every container of the store.
std::string SeccompCacheDir(const ContainerStore& store) { return DirName(store.dir()) + "/seccomp"; }

}  // namespace

Result<sandbox::SandboxSpec> SandboxSpecFor(const ContainerStore& store,
                                            const ContainerSpec& container) {
  const std::string dir = store.DirOf(container.id);
  sandbox::SandboxSpec spec;
  spec.lower_dirs = container.rootfs_layers;
  spec.upper_dir = dir + "/upper";
  spec.work_dir = dir + "/work";
  spec.discard_upper = container.auto_remove;  // the monitor removes the whole directory
  // The monitor drops it after reporting the exit. Not for a kept container: its state says
  // exited before the monitor lets go of it, and a `start` right then would find it busy.
  spec.hold_mount_namespace = container.auto_remove;
  if (spec.lower_dirs.empty()) return Fail(ErrorCode::kCorrupt, "container has no rootfs layers");

  std::vector<std::string> layers = {spec.upper_dir};
  layers.insert(layers.end(), spec.lower_dirs.begin(), spec.lower_dirs.end());
  oci::MergedView view(layers);
  oci::ResolvedUser user = BUILDER_TRY(oci::ResolveRunUser(view, container.user));
  spec.uid = user.uid;
  spec.gid = user.gid;
  spec.groups = user.groups;

  spec.argv = container.Argv();
  if (spec.argv.empty()) return Fail(ErrorCode::kInvalidArgument, "no command specified");
  spec.env = ContainerEnv(container, user.home);

  // docker creates a missing working directory. Resolved inside the view (symlinks chroot-style)
  // so the directories made in the upper dir stay inside the container.
  spec.cwd = container.working_dir.empty() ? "/" : CleanPath(container.working_dir);
  if (spec.cwd.front() != '/') {
    return Fail(ErrorCode::kInvalidArgument,
                "the working directory '" + container.working_dir + "' is invalid, it needs to be an absolute path");
  }
  std::string resolved = BUILDER_TRY(view.Resolve(spec.cwd, true));
  if (!view.Lookup(resolved)) {
    BUILDER_TRY(MakeDirs(spec.upper_dir + resolved, 0755));
    if (::chown((spec.upper_dir + resolved).c_str(), user.uid, user.gid) != 0) {
      // Rootless without the id mapped here: the directory stays root's, as an image's would.
    }
  }

  spec.hostname = container.hostname;
  // A bridged container's netns is filled by the monitor's configure_network (Networks::Attach).
  spec.network = container.bridged()           ? sandbox::NetworkMode::kConfigured
                 : container.network == "none" ? sandbox::NetworkMode::kNone
                                               : sandbox::NetworkMode::kHost;
  for (const MountSpec& m : container.mounts) {
    if (m.type == "bind") {
      spec.binds.push_back(sandbox::BindMount{m.source, m.destination, m.read_only});
    } else if (m.type == "tmpfs") {
      spec.tmpfs.push_back(BUILDER_TRY(ToTmpfs(m)));
    } else if (m.type == "volume") {
      VolumeStore volumes = BUILDER_TRY(VolumeStore::Open(DirName(store.dir())));
      VolumeInfo info = BUILDER_TRY(volumes.Get(m.source));
      spec.binds.push_back(sandbox::BindMount{info.mountpoint, m.destination, m.read_only});
    } else {
      return Fail(ErrorCode::kUnsupported,
                  m.type + " mounts are not supported yet (" + m.destination + ")");
    }
  }

  Privileges privileges = BUILDER_TRY(PrivilegesFor(container.limits));
  spec.command_is_pid1 = !container.limits.init;
  spec.privileged = privileges.privileged;
  spec.no_new_privileges = privileges.no_new_privileges;
  spec.capabilities = privileges.capabilities;
  spec.seccomp = privileges.seccomp;
  spec.seccomp_profile = std::move(privileges.seccomp_profile);
  spec.seccomp_cache_dir = SeccompCacheDir(store);
  const LimitsSpec& l = container.limits;
  spec.read_only_rootfs = container.read_only;
  for (const std::string& u : l.ulimits) spec.rlimits.push_back(BUILDER_TRY(ParseUlimit(u)));
  spec.cgroup_name = ContainerCgroupName(container);
  spec.cgroup_limits = CgroupLimitsFor(l);
  spec.mount_sysfs = true;

  // The container's own /etc/hosts, /etc/hostname and a copy of the host's resolv.conf, kept
  // in its state dir (bound read-only by the sandbox).
  spec.hostname_file = dir + "/hostname";
  spec.hosts_file = dir + "/hosts";
  spec.resolv_conf_file = dir + "/resolv.conf";
  BUILDER_TRY(WriteRuntimeFile(spec.hostname_file, container.hostname + "\n"));
  std::string hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                      "127.0.1.1\t" + container.hostname + "\n";
  for (const std::string& h : container.extra_hosts) {
    std::size_t colon = h.find(':');
    if (colon != std::string::npos) hosts += h.substr(colon + 1) + "\t" + h.substr(0, colon) + "\n";
  }
  BUILDER_TRY(WriteRuntimeFile(spec.hosts_file, hosts));
  auto resolv = ReadFile("/etc/resolv.conf");
  BUILDER_TRY(WriteRuntimeFile(spec.resolv_conf_file, resolv ? *resolv : std::string()));
  return spec;
}

std::string CgroupLimitsUnavailable(const LimitsSpec& limits) {
  if (!HasCgroupLimits(limits)) return "";
  // A throw-away cgroup with the same controllers: what the container's start would meet.
  // Top-level: removing it never removes the "builder" parent under another container.
  const std::string name = "builder-probe-" + std::to_string(::getpid());
  auto probe = sandbox::Cgroup::Create(name, CgroupLimitsFor(limits));
  if (probe) {
    (void)probe->Remove();
    return "";
  }
  return probe.error().code() == ErrorCode::kUnsupported ? probe.error().Describe() : "";
}

Result<sandbox::ExecSpec> ExecSpecFor(const ContainerStore& store, const ContainerSpec& container,
                                      const ExecOptions& options) {
  const std::string dir = store.DirOf(container.id);
  std::vector<std::string> layers = {dir + "/upper"};
  layers.insert(layers.end(), container.rootfs_layers.begin(), container.rootfs_layers.end());
  oci::ResolvedUser user =
      BUILDER_TRY(oci::ResolveRunUser(oci::MergedView(layers), options.user.value_or(container.user)));
  sandbox::ExecSpec spec;
  spec.argv = options.argv;
  if (spec.argv.empty()) return Fail(ErrorCode::kInvalidArgument, "no command specified");
  spec.env = ContainerEnv(container, user.home);
  for (const std::string& e : options.env) {
    const std::string key = e.substr(0, e.find('='));
    std::erase_if(spec.env, [&](const std::string& have) { return have.substr(0, have.find('=')) == key; });
    spec.env.push_back(e);
  }
  spec.cwd = options.workdir.value_or(container.working_dir.empty() ? "/" : container.working_dir);
  spec.uid = user.uid;
  spec.gid = user.gid;
  spec.groups = user.groups;
  LimitsSpec limits = container.limits;
  limits.privileged = limits.privileged || options.privileged;
  Privileges privileges = BUILDER_TRY(PrivilegesFor(limits));
  spec.capabilities = privileges.capabilities;
  spec.privileged = privileges.privileged;
  spec.no_new_privileges = privileges.no_new_privileges;
  spec.seccomp = privileges.seccomp;
  spec.seccomp_profile = std::move(privileges.seccomp_profile);
  spec.seccomp_cache_dir = SeccompCacheDir(store);
  spec.tty = options.tty;
  spec.tty_rows = options.tty_rows;
  spec.tty_cols = options.tty_cols;
  spec.cgroup_name = ContainerCgroupName(container);
  return spec;
}

}  // namespace builder::runner
