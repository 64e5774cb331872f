// The OCI runtime-spec config.json for a SandboxSpec, mirroring mount_plan.cc and sandbox.cc.
#include "sandbox/runtime_spec.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <cstdio>

#include "base/path.h"
#include "sandbox/capabilities.h"
#include "sandbox/seccomp_filter.h"

namespace builder::sandbox {
namespace {

using json = nlohmann::json;

json Mount(const std::string& destination, const std::string& type, const std::string& source,
           std::vector<std::string> options) {
  return {{"destination", destination}, {"type", type}, {"source", source}, {"options", options}};
}

json BindMountJson(const std::string& source, const std::string& destination, bool read_only) {
  return Mount(destination, "bind", source, {"rbind", read_only ? "ro" : "rw"});
}

json IdMappings(const std::vector<IdMapping>& map) {
  json out = json::array();
  for (const IdMapping& m : map) {
    out.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
  }
  return out;
}

std::vector<std::string> CapabilityList(uint64_t mask) {
  std::vector<std::string> out;
  for (std::string name : CapabilityNames(mask)) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    out.push_back(std::move(name));
  }
  return out;
}

const char* RlimitName(int resource) {
  static const char* const kNames[] = {
      "RLIMIT_CPU",    "RLIMIT_FSIZE",  "RLIMIT_DATA",   "RLIMIT_STACK",      "RLIMIT_CORE",
      "RLIMIT_RSS",    "RLIMIT_NPROC",  "RLIMIT_NOFILE", "RLIMIT_MEMLOCK",    "RLIMIT_AS",
      "RLIMIT_LOCKS",  "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO",
      "RLIMIT_RTTIME"};
  if (resource < 0 || resource >= static_cast<int>(std::size(kNames))) return nullptr;
  return kNames[resource];
}

json Architectures() {
#if defined(__x86_64__)
  return {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#elif defined(__aarch64__)
  return {"SCMP_ARCH_AARCH64"};
#else
  return json::array();
#endif
}

// seccomp_filter.cc's default policy, rule for rule (the personality filter aside).
json DefaultSeccomp() {
  json syscalls = json::array();
  std::vector<std::string> denied(DeniedSyscalls().begin(), DeniedSyscalls().end());
  syscalls.push_back({{"names", denied}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", EPERM}});
  // One rule per flag: rules OR, the conditions of one rule AND.
  for (uint64_t flag : {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
                        CLONE_NEWNET, CLONE_NEWCGROUP}) {
    syscalls.push_back({{"names", {"clone", "unshare"}},
                        {"action", "SCMP_ACT_ERRNO"},
                        {"errnoRet", EPERM},
                        {"args", {{{"index", 0}, {"value", flag}, {"valueTwo", flag},
                                   {"op", "SCMP_CMP_MASKED_EQ"}}}}});
  }
  syscalls.push_back({{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", ENOSYS}});
  return {{"defaultAction", "SCMP_ACT_ALLOW"},
          {"architectures", Architectures()},
          {"syscalls", syscalls}};
}

bool HasCapability(uint64_t caps, const std::string& name) {
  const std::vector<std::string> have = CapabilityList(caps);
  return std::find(have.begin(), have.end(), name) != have.end();
}

// A Docker profile is nearly a runtime-spec seccomp object; the capability conditions are
// decided here as the sandbox decides them, and Docker-only keys dropped.
json ProfileSeccomp(const std::string& text, uint64_t caps) {
  json profile = json::parse(text, nullptr, false);
  if (!profile.is_object()) return nullptr;  // Sandbox::Start refuses it anyway
  json out = {{"defaultAction", profile.value("defaultAction", "SCMP_ACT_ERRNO")}};
  if (profile.contains("defaultErrnoRet")) out["defaultErrnoRet"] = profile["defaultErrnoRet"];
  if (auto a = profile.find("architectures"); a != profile.end() && a->is_array()) {
    out["architectures"] = *a;
  }
  json syscalls = json::array();
  for (const json& rule : profile.value("syscalls", json::array())) {
    if (!rule.is_object()) continue;
    bool applies = true;
    if (auto inc = rule.find("includes"); inc != rule.end() && inc->is_object()) {
      for (const json& c : inc->value("caps", json::array())) {
        applies = applies && c.is_string() && HasCapability(caps, c.get<std::string>());
      }
    }
    if (auto exc = rule.find("excludes"); exc != rule.end() && exc->is_object()) {
      for (const json& c : exc->value("caps", json::array())) {
        applies = applies && !(c.is_string() && HasCapability(caps, c.get<std::string>()));
      }
    }
    if (!applies) continue;
    json entry;
    if (rule.contains("names")) {
      entry["names"] = rule["names"];
    } else if (rule.contains("name")) {
      entry["names"] = json::array({rule["name"]});
    }
    for (const char* key : {"action", "errnoRet", "args"}) {
      if (rule.contains(key) && !rule[key].is_null()) entry[key] = rule[key];
    }
    syscalls.push_back(std::move(entry));
  }
  out["syscalls"] = syscalls;
  return out;
}

std::string ModeOption(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "mode=%o", static_cast<unsigned>(mode & 07777));
  return buf;
}

json Mounts(const SandboxSpec& spec, const IdMaps& maps) {
  json mounts = json::array();
  mounts.push_back(Mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}));
  mounts.push_back(
      Mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
  std::vector<std::string> pts = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  if (maps.MapsGid(5)) pts.push_back("gid=5");
  mounts.push_back(Mount("/dev/pts", "devpts", "devpts", pts));
  mounts.push_back(Mount("/dev/shm", "tmpfs", "shm",
                         {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
  mounts.push_back(Mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}));
  struct EtcFile {
    const std::string& given;
    bool host_default;
    const char* path;
  };
  for (const EtcFile& f : {EtcFile{spec.resolv_conf_file, spec.mount_resolv_conf, "/etc/resolv.conf"},
                           EtcFile{spec.hosts_file, spec.mount_hosts, "/etc/hosts"},
                           EtcFile{spec.hostname_file, false, "/etc/hostname"}}) {
    if (!f.given.empty()) {
      mounts.push_back(BindMountJson(f.given, f.path, false));
    } else if (f.host_default && ::access(f.path, F_OK) == 0) {
      mounts.push_back(BindMountJson(f.path, f.path, true));
    }
  }
  if (spec.mount_sysfs) {
    std::vector<std::string> ro;
    if (!spec.privileged) ro.push_back("ro");
    if (spec.network == NetworkMode::kNone) {
      std::vector<std::string> options = {"nosuid", "noexec", "nodev"};
      options.insert(options.end(), ro.begin(), ro.end());
      mounts.push_back(Mount("/sys", "sysfs", "sysfs", options));
    } else {
      std::vector<std::string> options = {"rbind", "nosuid", "noexec", "nodev"};
      options.insert(options.end(), ro.begin(), ro.end());
      mounts.push_back(Mount("/sys", "bind", "/sys", options));
    }
    if (!spec.privileged) {
      mounts.push_back(Mount("/sys/fs/cgroup", "tmpfs", "tmpfs",
                             {"ro", "nosuid", "noexec", "nodev", "size=0"}));
    }
  }
  for (const BindMount& bind : spec.binds) {
    mounts.push_back(BindMountJson(bind.source, CleanPath(bind.destination), bind.read_only));
  }
  for (const TmpfsMount& t : spec.tmpfs) {
    std::vector<std::string> options = {"nosuid", "nodev"};
    if (t.noexec) options.push_back("noexec");
    if (t.read_only) options.push_back("ro");
    options.push_back(ModeOption(t.mode));
    if (t.size_bytes > 0) options.push_back("size=" + std::to_string(t.size_bytes));
    mounts.push_back(Mount(CleanPath(t.destination), "tmpfs", "tmpfs", options));
  }
  return mounts;
}

json Linux(const SandboxSpec& spec, const IdMaps& maps, uint64_t caps) {
  json ns = json::array({{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}},
                         {{"type", "mount"}}, {{"type", "user"}}});
  if (spec.network == NetworkMode::kNone) ns.push_back({{"type", "network"}});
  json out = {{"namespaces", ns},
                {"uidMappings", IdMappings(maps.uids)},
                {"gidMappings", IdMappings(maps.gids)}};
  if (!spec.privileged) {
    json masked = {"/proc/acpi",        "/proc/asound",     "/proc/kcore",
                   "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                   "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi"};
    if (spec.mount_sysfs) {
      masked.push_back("/sys/firmware");
      masked.push_back("/sys/devices/virtual/powercap");
    }
    out["maskedPaths"] = masked;
    out["readonlyPaths"] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                              "/proc/sysrq-trigger"};
  }
  json resources = json::object();
  const CgroupLimits& l = spec.cgroup_limits;
  if (l.memory_bytes > 0) resources["memory"] = {{"limit", l.memory_bytes}, {"swap", l.memory_bytes}};
  if (l.cpu_quota_us > 0) resources["cpu"] = {{"quota", l.cpu_quota_us}, {"period", l.cpu_period_us}};
  if (l.pids_max > 0) resources["pids"] = {{"limit", l.pids_max}};
  if (!resources.empty()) out["resources"] = resources;
  if (!spec.privileged) {
    if (spec.seccomp == SeccompMode::kDefault) {
      out["seccomp"] = DefaultSeccomp();
    } else if (spec.seccomp == SeccompMode::kProfile) {
      json profile = ProfileSeccomp(spec.seccomp_profile, caps);
      if (!profile.is_null()) out["seccomp"] = profile;
    }
  }
  return out;
}

}  // namespace

json RuntimeSpec(const SandboxSpec& spec, const std::string& rootfs_path, const IdMaps& maps) {
  const uint64_t caps = spec.privileged ? AllCapabilities() : spec.capabilities;
  const std::vector<std::string> cap_names = CapabilityList(caps);
  json process = {
      {"terminal", spec.tty},
      {"user", {{"uid", spec.uid}, {"gid", spec.gid}}},
      {"args", spec.argv},
      {"env", spec.env},
      {"cwd", spec.cwd},
      {"capabilities",
       {{"bounding", cap_names},
        {"effective", cap_names},
        {"permitted", cap_names},
        {"inheritable", cap_names},
        {"ambient", json::array()}}},
      {"noNewPrivileges", spec.no_new_privileges},
  };
  if (!spec.groups.empty()) process["user"]["additionalGids"] = spec.groups;
  if (spec.tty && spec.tty_rows > 0 && spec.tty_cols > 0) {
    process["consoleSize"] = {{"height", spec.tty_rows}, {"width", spec.tty_cols}};
  }
  json rlimits = json::array();
  for (const ResourceLimit& r : spec.rlimits) {
    if (const char* name = RlimitName(r.resource)) {
      rlimits.push_back({{"type", name}, {"hard", r.hard}, {"soft", r.soft}});
    }
  }
  if (!rlimits.empty()) process["rlimits"] = rlimits;
  return {{"ociVersion", "1.0.2"},
          {"process", process},
          {"root", {{"path", rootfs_path}, {"readonly", spec.read_only_rootfs}}},
          {"hostname", spec.hostname},
          {"mounts", Mounts(spec, maps)},
          {"linux", Linux(spec, maps, caps)}};
}

Result<json> RuntimeSpecForCurrentUser(const SandboxSpec& spec, const std::string& rootfs_path) {
  IdMaps maps = BUILDER_TRY(IdMapsForCurrentUser());
  return RuntimeSpec(spec, rootfs_path, maps);
}

}  // namespace builder::sandbox
