// The mount plan: every mount of the sandbox's rootfs as plain data, built by the parent.
#include "sandbox/mount_plan.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "base/path.h"

namespace builder::sandbox {
namespace {

// mount(2) copies at most one page of option data.
constexpr size_t kMaxMountData = 4095;

Result<void> CheckOverlayPath(const std::string& path, const char* what) {
  if (path.empty() || path.front() != '/') {
    return Fail(ErrorCode::kInvalidArgument, std::string(what) + " must be absolute: " + path);
  }
  if (path.find_first_of(":,\\") != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(what) + " contains an overlayfs separator (':', ',' or '\\'): " + path);
  }
  return {};
}

MountStep Mount(std::string fstype, std::string target, unsigned long flags, std::string data) {
  MountStep step;
  step.op = MountOp::kMount;
  step.source = fstype;
  step.fstype = std::move(fstype);
  step.target = std::move(target);
  step.flags = flags;
  step.data = std::move(data);
  return step;
}

MountStep Bind(std::string source, std::string target, TargetKind kind, bool read_only,
               bool optional) {
  MountStep step;
  step.op = MountOp::kBind;
  step.source = std::move(source);
  step.target = std::move(target);
  step.flags = MS_BIND | MS_REC;
  step.create = kind;
  step.read_only = read_only;
  step.optional = optional;
  return step;
}

MountStep Symlink(std::string text, std::string target) {
  MountStep step;
  step.op = MountOp::kSymlink;
  step.source = std::move(text);
  step.target = std::move(target);
  return step;
}

// Docker's masked and read-only /proc paths: kernel internals a container has no use for.
void AddProcProtections(std::vector<MountStep>* steps) {
  for (const char* file : {"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                           "/proc/timer_stats", "/proc/sched_debug"}) {
    steps->push_back(Bind("/dev/null", file, TargetKind::kExisting, false, false));
  }
  for (const char* dir : {"/proc/acpi", "/proc/asound", "/proc/scsi"}) {
    MountStep step = Mount("tmpfs", dir, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0");
    step.create = TargetKind::kExisting;
    steps->push_back(std::move(step));
  }
  for (const char* path :
       {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}) {
    MountStep step;
    step.op = MountOp::kReadOnly;
    step.target = path;
    step.flags = MS_BIND | MS_REC;
    step.create = TargetKind::kExisting;
    step.read_only = true;
    steps->push_back(std::move(step));
  }
}

// A fresh sysfs needs a network namespace of our own; otherwise the host's /sys is bound, and
// mount_setattr(AT_RECURSIVE) makes every mount below it read-only too.
void AddSysfs(const SandboxSpec& spec, std::vector<MountStep>* steps) {
  const unsigned long ro = spec.privileged ? 0 : MS_RDONLY;
  if (OwnNetworkNamespace(spec.network)) {
    steps->push_back(Mount("sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC | ro, ""));
  } else {
    MountStep step = Bind("/sys", "/sys", TargetKind::kDir, !spec.privileged, false);
    step.recursive_read_only = !spec.privileged;
    steps->push_back(std::move(step));
  }
  if (spec.privileged) return;
  // The host's cgroup mounts sit below the bound /sys (read-only, but they name the host's
  // cgroups and their processes): an empty tmpfs covers them, as a fresh sysfs shows none.
  for (const char* dir : {"/sys/firmware", "/sys/devices/virtual/powercap", "/sys/fs/cgroup"}) {
    MountStep step = Mount("tmpfs", dir, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0");
    step.create = TargetKind::kExisting;
    steps->push_back(std::move(step));
  }
}

}  // namespace

Result<std::string> OverlayOptions(const std::vector<std::string>& lower_dirs,
                                   const std::string& upper_dir, const std::string& work_dir) {
  if (lower_dirs.empty()) return Fail(ErrorCode::kInvalidArgument, "no lower dirs for the rootfs");
  std::string out = "lowerdir=";
  for (size_t i = 0; i < lower_dirs.size(); ++i) {
    BUILDER_TRY(CheckOverlayPath(lower_dirs[i], "lower dir"));
    if (i > 0) out += ':';
    out += lower_dirs[i];
  }
  BUILDER_TRY(CheckOverlayPath(upper_dir, "upper dir"));
  BUILDER_TRY(CheckOverlayPath(work_dir, "work dir"));
  out += ",upperdir=" + upper_dir + ",workdir=" + work_dir + ",userxattr";
  if (out.size() > kMaxMountData) {
    return Fail(ErrorCode::kUnsupported, "overlay options too long (" + std::to_string(out.size()) +
                                             " bytes for " + std::to_string(lower_dirs.size()) +
                                             " lower dirs; mount(2) takes one page)");
  }
  return out;
}

Result<MountPlan> BuildMountPlan(const SandboxSpec& spec, bool tty_gid_mapped) {
  MountPlan plan;
  auto options = OverlayOptions(spec.lower_dirs, spec.upper_dir, spec.work_dir);
  if (options) {
    plan.overlay_options = std::move(*options);
  } else if (options.error().code() != ErrorCode::kUnsupported) {
    return Fail(std::move(options.error()));
  }
  plan.lower_dirs = spec.lower_dirs;
  plan.upper_dir = spec.upper_dir;
  plan.work_dir = spec.work_dir;
  auto& s = plan.steps;
  s.push_back(Mount("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, ""));
  s.push_back(Mount("tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"));
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
    const std::string path = std::string("/dev/") + node;
    // A host without a tty device (some CI containers) still gets the rest.
    s.push_back(Bind(path, path, TargetKind::kFile, false, std::string(node) == "tty"));
  }
  std::string pts = "newinstance,ptmxmode=0666,mode=0620";
  if (tty_gid_mapped) pts += ",gid=5";
  s.push_back(Mount("devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC, pts));
  s.push_back(Symlink("pts/ptmx", "/dev/ptmx"));
  s.push_back(Symlink("/proc/self/fd", "/dev/fd"));
  s.push_back(Symlink("/proc/self/fd/0", "/dev/stdin"));
  s.push_back(Symlink("/proc/self/fd/1", "/dev/stdout"));
  s.push_back(Symlink("/proc/self/fd/2", "/dev/stderr"));
  s.push_back(
      Mount("tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k"));
  // POSIX message queues of the sandbox's own IPC namespace (docker mounts them too).
  s.push_back(Mount("mqueue", "/dev/mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, ""));
  // The runner's own files replace the host's (a container network has its own hosts). They
  // are per-container copies, writable as docker's are; the host's own stay read-only.
  struct EtcFile {
    const std::string& given;
    bool host_default;
    const char* path;
  };
  for (const EtcFile& f : {EtcFile{spec.resolv_conf_file, spec.mount_resolv_conf, "/etc/resolv.conf"},
                           EtcFile{spec.hosts_file, spec.mount_hosts, "/etc/hosts"},
                           EtcFile{spec.hostname_file, false, "/etc/hostname"}}) {
    if (!f.given.empty()) {
      if (f.given.front() != '/' || ::access(f.given.c_str(), R_OK) != 0) {
        return Fail(ErrorCode::kInvalidArgument,
                    std::string("file for ") + f.path + " must be an absolute, readable path: " + f.given);
      }
      s.push_back(Bind(f.given, f.path, TargetKind::kFile, false, false));
    } else if (f.host_default) {
      s.push_back(Bind(f.path, f.path, TargetKind::kFile, true, true));
    }
  }
  if (spec.mount_sysfs) AddSysfs(spec, &s);
  for (const BindMount& bind : spec.binds) {
    if (bind.source.empty() || bind.source.front() != '/') {
      return Fail(ErrorCode::kInvalidArgument, "bind source must be absolute: " + bind.source);
    }
    const std::string dest = CleanPath(bind.destination);
    if (bind.destination.empty() || dest.front() != '/' || dest == "/") {
      return Fail(ErrorCode::kInvalidArgument,
                  "bind destination must be an absolute path below /: " + bind.destination);
    }
    struct stat st;
    if (::stat(bind.source.c_str(), &st) != 0) {
      return FailErrno("bind source " + bind.source, errno);
    }
    s.push_back(Bind(bind.source, dest, S_ISDIR(st.st_mode) ? TargetKind::kDir : TargetKind::kFile,
                     bind.read_only, false));
  }
  for (const TmpfsMount& t : spec.tmpfs) {
    const std::string dest = CleanPath(t.destination);
    if (t.destination.empty() || dest.front() != '/' || dest == "/") {
      return Fail(ErrorCode::kInvalidArgument,
                  "tmpfs destination must be an absolute path below /: " + t.destination);
    }
    char mode[16];
    std::snprintf(mode, sizeof mode, "mode=%o", static_cast<unsigned>(t.mode & 07777));
    std::string data = mode;
    if (t.size_bytes > 0) data += ",size=" + std::to_string(t.size_bytes);
    unsigned long flags = MS_NOSUID | MS_NODEV;
    if (t.noexec) flags |= MS_NOEXEC;
    if (t.read_only) flags |= MS_RDONLY;
    s.push_back(Mount("tmpfs", dest, flags, data));
  }
  if (!spec.privileged) AddProcProtections(&s);
  return plan;
}

}  // namespace builder::sandbox
