// Cgroup: a container's own control group in every v1 hierarchy and in v2, with its limits.
#include "sandbox/cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "base/path.h"
#include "base/unique_fd.h"

namespace builder::sandbox {
namespace {

// Where the mount table and the processes' cgroup files are read: /proc, or a fake tree.
std::string& ProcRoot() {
  static std::string root = "/proc";
  return root;
}

// One mounted hierarchy: v1 (with its controllers) or v2.
struct Hierarchy {
  std::string mount_point;
  std::string mount_root;
  bool v2 = false;
  std::vector<std::string> controllers;  ///< v1 only; "name=systemd" kept as is
};

std::vector<std::string> SplitOn(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find(sep, start), text.size());
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<std::vector<Hierarchy>> MountedHierarchies() {
  std::string info = BUILDER_TRY(ReadFile(ProcRoot() + "/self/mountinfo"));
  std::vector<Hierarchy> out;
  std::istringstream lines(info);
  for (std::string line; std::getline(lines, line);) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::vector<std::string> pre = SplitOn(std::string_view(line).substr(0, dash), ' ');
    std::vector<std::string> post = SplitOn(std::string_view(line).substr(dash + 3), ' ');
    if (pre.size() < 5 || post.size() < 3) continue;
    Hierarchy h{.mount_point = pre[4], .mount_root = pre[3]};
    if (post[0] == "cgroup2") {
      h.v2 = true;
    } else if (post[0] == "cgroup") {
      for (std::string& opt : SplitOn(post[2], ',')) {
        if (opt == "rw" || opt == "ro" || opt == "clone_children" || opt == "noprefix" ||
            opt == "xattr" || opt.starts_with("release_agent=")) {
          continue;
        }
        h.controllers.push_back(std::move(opt));
      }
    } else {
      continue;
    }
    out.push_back(std::move(h));
  }
  return out;
}

// This process's own cgroup directory in `h`, from /proc/self/cgroup.
std::string OwnDir(const Hierarchy& h, const std::string& proc_cgroup) {
  std::istringstream lines(proc_cgroup);
  for (std::string line; std::getline(lines, line);) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    bool match = h.v2 ? controllers.empty() : false;
    if (!h.v2 && !controllers.empty()) {
      std::vector<std::string> listed = SplitOn(controllers, ',');
      match = std::all_of(listed.begin(), listed.end(), [&](const std::string& c) {
        return std::find(h.controllers.begin(), h.controllers.end(), c) != h.controllers.end();
      });
    }
    if (!match) continue;
    if (h.mount_root != "/" && path.starts_with(h.mount_root)) path = path.substr(h.mount_root.size());
    return CleanPath(h.mount_point + "/" + path);
  }
  return h.mount_point;
}

bool Has(const Hierarchy& h, const char* controller) {
  return std::find(h.controllers.begin(), h.controllers.end(), controller) != h.controllers.end();
}

// Where containers' cgroups go in `h`: under this process's own cgroup, except in a v2 tree
// whose root we may write (root, not rootless). v2 lets no cgroup that holds processes (ours
// holds this one: a login session's scope, say) enable controllers for its children; the root
// is exempt, so there containers get limits, as docker's and podman's cgroupfs managers place
// them. A rootless user stays under its own (delegated) cgroup.
std::string BaseDir(const Hierarchy& h, const std::string& proc_cgroup) {
  if (h.v2 && ::access((h.mount_point + "/cgroup.subtree_control").c_str(), W_OK) == 0) {
    return h.mount_point;
  }
  return OwnDir(h, proc_cgroup);
}

Result<void> WriteControl(const std::string& dir, const char* file, const std::string& value) {
  const std::string path = dir + "/" + file;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return FailErrno("open " + path, errno);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return FailErrno("write " + value + " to " + path, errno);
  }
  return {};
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// The number after `key` in a "key value" per line file; nullopt-like -1 when missing.
int64_t KeyedValue(const std::string& path, std::string_view key) {
  auto text = ReadFile(path);
  if (!text) return -1;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ') {
      return std::strtoll(line.c_str() + key.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

Result<uint64_t> NumberIn(const std::string& path) {
  std::string text = BUILDER_TRY(ReadFile(path));
  return std::strtoull(text.c_str(), nullptr, 10);
}

Result<void> CheckName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') {
    return Fail(ErrorCode::kInvalidArgument, "bad cgroup name: " + std::string(name));
  }
  for (const std::string& part : SplitOn(name, '/')) {
    if (part.empty() || part == "." || part == "..") {
      return Fail(ErrorCode::kInvalidArgument, "bad cgroup name: " + std::string(name));
    }
  }
  return {};
}

// This process's own cgroup dir (`bases`) in each hierarchy Create uses (`kinds`, into `all`).
Result<void> Layout(std::string_view name, std::vector<std::string>* bases,
                      std::vector<std::string>* homes, std::vector<const Hierarchy*>* kinds,
                      std::vector<Hierarchy>* all) {
  BUILDER_TRY(CheckName(name));
  *all = BUILDER_TRY(MountedHierarchies());
  const std::string proc = BUILDER_TRY(ReadFile(ProcRoot() + "/self/cgroup"));
  for (const Hierarchy& h : *all) {
    // An empty cpuset refuses every process; it is not a limit we set.
    if (Has(h, "cpuset")) continue;
    bases->push_back(BaseDir(h, proc));
    homes->push_back(OwnDir(h, proc));
    kinds->push_back(&h);
  }
  return {};
}

}  // namespace

void SetCgroupProcRootForTesting(std::string proc_root) { ProcRoot() = std::move(proc_root); }

std::string CgroupInfo::ToString() const {
  switch (version) {
    case CgroupVersion::kV1: return "v1";
    case CgroupVersion::kV2: return "v2";
    case CgroupVersion::kHybrid: return "hybrid (v1 controllers, empty v2 tree)";
    case CgroupVersion::kNone: break;
  }
  return "none";
}

Result<CgroupInfo> DetectCgroups() {
  std::vector<Hierarchy> all = BUILDER_TRY(MountedHierarchies());
  CgroupInfo info;
  bool v1 = false, v2 = false;
  for (const Hierarchy& h : all) {
    if (h.v2) {
      v2 = true;
      if (auto text = ReadFile(h.mount_point + "/cgroup.controllers")) {
        std::string t = *text;
        std::replace(t.begin(), t.end(), '\n', ' ');
        for (std::string& c : SplitOn(t, ' ')) {
          if (!c.empty()) info.controllers.push_back(std::move(c));
        }
      }
    } else {
      v1 = true;
      for (const std::string& c : h.controllers) {
        if (!c.starts_with("name=")) info.controllers.push_back(c);
      }
    }
  }
  info.version = v1 && v2 ? CgroupVersion::kHybrid
                 : v1     ? CgroupVersion::kV1
                 : v2     ? CgroupVersion::kV2
                          : CgroupVersion::kNone;
  std::sort(info.controllers.begin(), info.controllers.end());
  info.controllers.erase(std::unique(info.controllers.begin(), info.controllers.end()),
                         info.controllers.end());
  return info;
}

Result<Cgroup> Cgroup::Open(std::string_view name) {
  std::vector<std::string> bases, homes;
  std::vector<const Hierarchy*> kinds;
  std::vector<Hierarchy> all;
  BUILDER_TRY(Layout(name, &bases, &homes, &kinds, &all));
  Cgroup cg;
  cg.name_ = name;
  for (size_t i = 0; i < bases.size(); ++i) {
    const std::string dir = bases[i] + "/" + std::string(name);
    if (!Exists(dir)) return Fail(ErrorCode::kNotFound, "no cgroup " + dir);
    cg.dirs_.push_back(dir);
    cg.bases_.push_back(bases[i]);
    cg.homes_.push_back(homes[i]);
    const Hierarchy& h = *kinds[i];
    if (h.v2) cg.v2_ = dir;
    if (Has(h, "memory")) cg.memory_ = dir;
    if (Has(h, "cpu")) cg.cpu_ = dir;
    if (Has(h, "cpuacct")) cg.cpuacct_ = dir;
    if (Has(h, "pids")) cg.pids_ = dir;
    if (Has(h, "blkio")) cg.blkio_ = dir;
    if (Has(h, "freezer")) cg.freezer_ = dir;
  }
  if (cg.dirs_.empty()) return Fail(ErrorCode::kUnsupported, "no cgroup hierarchy is mounted");
  cg.AdoptV2Controllers();
  return cg;
}

Result<Cgroup> Cgroup::Create(std::string_view name, const CgroupLimits& limits) {
  std::vector<std::string> bases, homes;
  std::vector<const Hierarchy*> kinds;
  std::vector<Hierarchy> all;
  BUILDER_TRY(Layout(name, &bases, &homes, &kinds, &all));
  if (bases.empty()) return Fail(ErrorCode::kUnsupported, "no cgroup hierarchy is mounted");
  Cgroup cg;
  cg.name_ = name;
  // Created one component at a time so Remove() knows which parents are ours.
  auto fail = [&cg](Error e) {
    (void)cg.Remove();
    if (e.code() == ErrorCode::kIo && (e.sys_errno() == EACCES || e.sys_errno() == EPERM ||
                                       e.sys_errno() == EROFS || e.sys_errno() == ENOENT)) {
      e = Error(ErrorCode::kUnsupported, e.message(), e.sys_errno());
    }
    return std::unexpected<Error>(std::move(e).Context("create cgroup " + cg.name_));
  };
  for (size_t i = 0; i < bases.size(); ++i) {
    std::string dir = bases[i];
    for (const std::string& part : SplitOn(name, '/')) {
      dir += "/" + part;
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return fail(Error::FromErrno("mkdir " + dir, errno));
      }
    }
    cg.dirs_.push_back(dir);
    cg.bases_.push_back(bases[i]);
    cg.homes_.push_back(homes[i]);
    const Hierarchy& h = *kinds[i];
    if (h.v2) cg.v2_ = dir;
    if (Has(h, "memory")) cg.memory_ = dir;
    if (Has(h, "cpu")) cg.cpu_ = dir;
    if (Has(h, "cpuacct")) cg.cpuacct_ = dir;
    if (Has(h, "pids")) cg.pids_ = dir;
    if (Has(h, "blkio")) cg.blkio_ = dir;
    if (Has(h, "freezer")) cg.freezer_ = dir;
  }
  // v2 controllers must be enabled in every parent's subtree_control down to the leaf.
  if (!cg.v2_.empty() && Exists(cg.v2_ + "/../cgroup.subtree_control")) {
    std::string wanted;
    if (limits.memory_bytes > 0 && cg.memory_.empty()) wanted += " +memory";
    if (limits.cpu_quota_us > 0 && cg.cpu_.empty()) wanted += " +cpu";
    if (limits.pids_max > 0 && cg.pids_.empty()) wanted += " +pids";
    std::string dir = cg.bases_[static_cast<size_t>(
        std::find(cg.dirs_.begin(), cg.dirs_.end(), cg.v2_) - cg.dirs_.begin())];
    for (const std::string& part : SplitOn(name, '/')) {
      for (const std::string& c : SplitOn(wanted, ' ')) {
        if (!c.empty()) (void)WriteControl(dir, "cgroup.subtree_control", c);
      }
      dir += "/" + part;
    }
    cg.AdoptV2Controllers();
  }
  auto missing = [&](const char* what) {
    (void)cg.Remove();
    return Fail(ErrorCode::kUnsupported,
                std::string(what) + " limit: no " + what + " cgroup controller available");
  };
  if (limits.memory_bytes > 0) {
    if (cg.memory_.empty()) return missing("memory");
    const std::string bytes = std::to_string(limits.memory_bytes);
    const bool v2 = cg.memory_ == cg.v2_;
    if (auto r = WriteControl(cg.memory_, v2 ? "memory.max" : "memory.limit_in_bytes", bytes); !r)
      return fail(std::move(r.error()));
    if (v2 && Exists(cg.memory_ + "/memory.swap.max")) {
      if (auto r = WriteControl(cg.memory_, "memory.swap.max", "0"); !r)
        return fail(std::move(r.error()));
    } else if (!v2 && Exists(cg.memory_ + "/memory.memsw.limit_in_bytes")) {
      if (auto r = WriteControl(cg.memory_, "memory.memsw.limit_in_bytes", bytes); !r)
        return fail(std::move(r.error()));
    }
  }
  if (limits.cpu_quota_us > 0) {
    if (cg.cpu_.empty()) return missing("cpu");
    const std::string quota = std::to_string(limits.cpu_quota_us);
    const std::string period = std::to_string(limits.cpu_period_us > 0 ? limits.cpu_period_us : 100000);
    if (cg.cpu_ == cg.v2_) {
      if (auto r = WriteControl(cg.cpu_, "cpu.max", quota + " " + period); !r)
        return fail(std::move(r.error()));
    } else {
      if (auto r = WriteControl(cg.cpu_, "cpu.cfs_period_us", period); !r)
        return fail(std::move(r.error()));
      if (auto r = WriteControl(cg.cpu_, "cpu.cfs_quota_us", quota); !r)
        return fail(std::move(r.error()));
    }
  }
  if (limits.pids_max > 0) {
    if (cg.pids_.empty()) return missing("pids");
    if (auto r = WriteControl(cg.pids_, "pids.max", std::to_string(limits.pids_max)); !r)
      return fail(std::move(r.error()));
  }
  return cg;
}

Result<Cgroup> Cgroup::OfProcess(pid_t pid) {
  std::vector<Hierarchy> all = BUILDER_TRY(MountedHierarchies());
  const std::string theirs = BUILDER_TRY(ReadFile(ProcRoot() + "/" + std::to_string(pid) + "/cgroup"));
  const std::string ours = BUILDER_TRY(ReadFile(ProcRoot() + "/self/cgroup"));
  Cgroup cg;
  for (const Hierarchy& h : all) {
    if (Has(h, "cpuset")) continue;
    const std::string dir = OwnDir(h, theirs);
    const std::string base = BaseDir(h, ours);
    cg.dirs_.push_back(dir);
    cg.bases_.push_back(dir.starts_with(base + "/") ? base : dir);
    cg.homes_.push_back(OwnDir(h, ours));
    if (cg.name_.empty() && dir.starts_with(base + "/")) cg.name_ = dir.substr(base.size() + 1);
    if (h.v2) cg.v2_ = dir;
    if (Has(h, "memory")) cg.memory_ = dir;
    if (Has(h, "cpu")) cg.cpu_ = dir;
    if (Has(h, "cpuacct")) cg.cpuacct_ = dir;
    if (Has(h, "pids")) cg.pids_ = dir;
    if (Has(h, "blkio")) cg.blkio_ = dir;
    if (Has(h, "freezer")) cg.freezer_ = dir;
  }
  if (cg.dirs_.empty()) return Fail(ErrorCode::kUnsupported, "no cgroup hierarchy is mounted");
  cg.AdoptV2Controllers();
  return cg;
}

void Cgroup::AdoptV2Controllers() {
  if (v2_.empty()) return;
  if (memory_.empty() && Exists(v2_ + "/memory.max")) memory_ = v2_;
  if (cpu_.empty() && Exists(v2_ + "/cpu.max")) cpu_ = v2_;
  if (cpuacct_.empty() && Exists(v2_ + "/cpu.stat")) cpuacct_ = v2_;
  if (pids_.empty() && Exists(v2_ + "/pids.max")) pids_ = v2_;
  if (blkio_.empty() && Exists(v2_ + "/io.stat")) blkio_ = v2_;
}

Result<void> Cgroup::AddProcess(pid_t pid) const {
  for (const std::string& dir : dirs_) {
    if (auto r = WriteControl(dir, "cgroup.procs", std::to_string(pid)); !r) {
      return Fail(std::move(r.error()).Context("join cgroup " + name_));
    }
  }
  return {};
}

bool Cgroup::OomKilled() const {
  if (memory_.empty()) return false;
  if (memory_ == v2_) return KeyedValue(memory_ + "/memory.events", "oom_kill") > 0;
  const std::string control = memory_ + "/memory.oom_control";
  int64_t kills = KeyedValue(control, "oom_kill");
  if (kills >= 0) return kills > 0;
  return KeyedValue(control, "under_oom") > 0;
}

Result<uint64_t> Cgroup::MemoryUsage() const {
  if (memory_.empty()) return Fail(ErrorCode::kUnsupported, "no memory cgroup controller");
  return NumberIn(memory_ + (memory_ == v2_ ? "/memory.current" : "/memory.usage_in_bytes"));
}

Result<uint64_t> Cgroup::CpuUsageNs() const {
  if (!cpuacct_.empty() && cpuacct_ != v2_) return NumberIn(cpuacct_ + "/cpuacct.usage");
  if (!v2_.empty()) {
    int64_t usec = KeyedValue(v2_ + "/cpu.stat", "usage_usec");
    if (usec >= 0) return static_cast<uint64_t>(usec) * 1000;
  }
  return Fail(ErrorCode::kUnsupported, "no cpu accounting cgroup controller");
}

Result<std::vector<pid_t>> Cgroup::Pids() const {
  if (dirs_.empty()) return Fail(ErrorCode::kInternal, "cgroup: not created");
  const std::string& dir = !pids_.empty() ? pids_ : dirs_.front();
  std::string text = BUILDER_TRY(ReadFile(dir + "/cgroup.procs"));
  std::vector<pid_t> out;
  std::istringstream in(text);
  for (pid_t pid; in >> pid;) out.push_back(pid);
  return out;
}

Result<void> Cgroup::Remove() {
  std::optional<Error> first;
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (::rmdir(dirs_[i].c_str()) != 0 && errno != ENOENT && !first) {
      first = Error::FromErrno("remove cgroup " + dirs_[i], errno);
      continue;
    }
    // Parents the name created ("builder" of "builder/<id>"), while empty.
    std::string dir = dirs_[i];
    while (dir.size() > bases_[i].size() + 1) {
      dir = dir.substr(0, dir.rfind('/'));
      if (dir.size() <= bases_[i].size() || ::rmdir(dir.c_str()) != 0) break;
    }
  }
  if (first) return Fail(std::move(*first));
  dirs_.clear();
  return {};
}

}  // namespace builder::sandbox
