// Tests for the mount plan and the overlayfs options.
#include "sandbox/mount_plan.h"

#include <doctest/doctest.h>
#include <sys/mount.h>

#include <algorithm>

namespace builder::sandbox {
namespace {

SandboxSpec BaseSpec() {
  SandboxSpec spec;
  spec.lower_dirs = {"/s/top", "/s/base"};
  spec.upper_dir = "/r/upper";
  spec.work_dir = "/r/work";
  spec.argv = {"true"};
  return spec;
}

const MountStep* Find(const MountPlan& plan, const std::string& target) {
  auto it = std::find_if(plan.steps.begin(), plan.steps.end(),
                         [&](const MountStep& s) { return s.target == target; });
  return it == plan.steps.end() ? nullptr : &*it;
}

size_t IndexOf(const MountPlan& plan, const std::string& target) {
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (plan.steps[i].target == target) return i;
  }
  return plan.steps.size();
}

TEST_CASE("OverlayOptions lists lower dirs topmost first and always sets userxattr") {
  auto options = OverlayOptions({"/a", "/b/c"}, "/u", "/w");
  REQUIRE(options);
  CHECK(*options == "lowerdir=/a:/b/c,upperdir=/u,workdir=/w,userxattr");
}

TEST_CASE("OverlayOptions rejects what overlayfs would misparse") {
  CHECK(OverlayOptions({}, "/u", "/w").error().code() == ErrorCode::kInvalidArgument);
  CHECK(OverlayOptions({"rel"}, "/u", "/w").error().code() == ErrorCode::kInvalidArgument);
  CHECK(OverlayOptions({"/a:b"}, "/u", "/w").error().code() == ErrorCode::kInvalidArgument);
  CHECK(OverlayOptions({"/a"}, "/u,x", "/w").error().code() == ErrorCode::kInvalidArgument);
  CHECK(OverlayOptions({"/a"}, "/u", "/w\\").error().code() == ErrorCode::kInvalidArgument);
  CHECK(OverlayOptions({"/a"}, "/u", "").error().code() == ErrorCode::kInvalidArgument);
  std::vector<std::string> many(200, "/var/lib/builder/snapshots/0123456789abcdef");
  auto too_long = OverlayOptions(many, "/u", "/w");
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().code() == ErrorCode::kUnsupported);
}

TEST_CASE("BuildMountPlan: proc, a minimal /dev, resolv.conf and hosts") {
  auto plan = BuildMountPlan(BaseSpec(), true);
  REQUIRE(plan);
  CHECK(plan->overlay_options ==
        "lowerdir=/s/top:/s/base,upperdir=/r/upper,workdir=/r/work,userxattr");
  const MountStep* proc = Find(*plan, "/proc");
  REQUIRE(proc);
  CHECK(proc->fstype == "proc");
  CHECK((proc->flags & MS_NOSUID));
  for (const char* node :
       {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"}) {
    const MountStep* step = Find(*plan, node);
    REQUIRE_MESSAGE(step, node);
    CHECK(step->op == MountOp::kBind);
    CHECK(step->source == node);
    CHECK(step->create == TargetKind::kFile);
    CHECK_FALSE(step->read_only);
    // Nodes bind into the /dev tmpfs, so it must come first.
    CHECK(IndexOf(*plan, "/dev") < IndexOf(*plan, node));
  }
  const MountStep* pts = Find(*plan, "/dev/pts");
  REQUIRE(pts);
  CHECK(pts->fstype == "devpts");
  CHECK(pts->data == "newinstance,ptmxmode=0666,mode=0620,gid=5");
  const MountStep* ptmx = Find(*plan, "/dev/ptmx");
  REQUIRE(ptmx);
  CHECK(ptmx->op == MountOp::kSymlink);
  CHECK(ptmx->source == "pts/ptmx");
  CHECK(Find(*plan, "/dev/fd")->source == "/proc/self/fd");
  CHECK(Find(*plan, "/dev/stderr")->source == "/proc/self/fd/2");
  CHECK(Find(*plan, "/dev/shm")->fstype == "tmpfs");
  for (const char* file : {"/etc/resolv.conf", "/etc/hosts"}) {
    const MountStep* step = Find(*plan, file);
    REQUIRE_MESSAGE(step, file);
    CHECK(step->op == MountOp::kBind);
    CHECK(step->read_only);
    CHECK(step->optional);
    CHECK(step->create == TargetKind::kFile);
  }
  CHECK_FALSE(Find(*plan, "/sys"));
}

TEST_CASE("BuildMountPlan: too many layers for mount(2) data switch to fsconfig") {
  SandboxSpec spec = BaseSpec();
  spec.lower_dirs.assign(200, "/var/lib/builder/snapshots/0123456789abcdef");
  auto plan = BuildMountPlan(spec, true);
  REQUIRE(plan);
  CHECK(plan->overlay_options.empty());
  CHECK(plan->lower_dirs.size() == 200);
  CHECK(plan->upper_dir == "/r/upper");
  CHECK(plan->work_dir == "/r/work");
  spec.lower_dirs.push_back("/bad:path");
  CHECK(BuildMountPlan(spec, true).error().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("BuildMountPlan: devpts without gid 5, and without the host files when asked") {
  SandboxSpec spec = BaseSpec();
  spec.mount_resolv_conf = false;
  spec.mount_hosts = false;
  auto plan = BuildMountPlan(spec, false);
  REQUIRE(plan);
  CHECK(Find(*plan, "/dev/pts")->data == "newinstance,ptmxmode=0666,mode=0620");
  CHECK_FALSE(Find(*plan, "/etc/resolv.conf"));
  CHECK_FALSE(Find(*plan, "/etc/hosts"));
}

TEST_CASE("BuildMountPlan: extra binds come last, cleaned, typed by their source") {
  SandboxSpec spec = BaseSpec();
  spec.binds = {{"/tmp", "/mnt//cache/", false}, {"/dev/null", "/run/secrets/x", true}};
  auto plan = BuildMountPlan(spec, true);
  REQUIRE(plan);
  REQUIRE(Find(*plan, "/mnt/cache"));
  REQUIRE(Find(*plan, "/run/secrets/x"));
  const MountStep& dir = *Find(*plan, "/mnt/cache");
  const MountStep& file = *Find(*plan, "/run/secrets/x");
  CHECK(IndexOf(*plan, "/etc/hosts") < IndexOf(*plan, "/mnt/cache"));
  CHECK(IndexOf(*plan, "/mnt/cache") < IndexOf(*plan, "/run/secrets/x"));
  CHECK(dir.target == "/mnt/cache");
  CHECK(dir.create == TargetKind::kDir);
  CHECK_FALSE(dir.read_only);
  CHECK((dir.flags & MS_REC));
  CHECK(file.target == "/run/secrets/x");
  CHECK(file.create == TargetKind::kFile);
  CHECK(file.read_only);
  CHECK_FALSE(file.optional);
}

TEST_CASE("BuildMountPlan: Docker's masked and read-only /proc paths come last") {
  SandboxSpec spec = BaseSpec();
  spec.binds = {{"/tmp", "/mnt", false}};
  auto plan = BuildMountPlan(spec, true);
  REQUIRE(plan);
  const MountStep* kcore = Find(*plan, "/proc/kcore");
  REQUIRE(kcore);
  CHECK(kcore->op == MountOp::kBind);
  CHECK(kcore->source == "/dev/null");
  CHECK(kcore->create == TargetKind::kExisting);
  const MountStep* acpi = Find(*plan, "/proc/acpi");
  REQUIRE(acpi);
  CHECK(acpi->fstype == "tmpfs");
  CHECK((acpi->flags & MS_RDONLY));
  CHECK(acpi->create == TargetKind::kExisting);
  const MountStep* sys = Find(*plan, "/proc/sys");
  REQUIRE(sys);
  CHECK(sys->op == MountOp::kReadOnly);
  CHECK(sys->read_only);
  CHECK(sys->create == TargetKind::kExisting);
  CHECK(IndexOf(*plan, "/mnt") < IndexOf(*plan, "/proc/kcore"));
}

TEST_CASE("BuildMountPlan: a container's /dev/mqueue, writable etc files, no host cgroup mounts") {
  SandboxSpec spec = BaseSpec();
  auto first = BuildMountPlan(spec, true);
  REQUIRE(first);
  const MountStep* mq = Find(*first, "/dev/mqueue");
  REQUIRE(mq);
  CHECK(mq->op == MountOp::kMount);
  CHECK(mq->fstype == "mqueue");
  CHECK((mq->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)) == (MS_NOSUID | MS_NODEV | MS_NOEXEC));
  // The runner's per-container copies are the container's to change, as docker's are.
  spec.hosts_file = "/etc/passwd";
  spec.resolv_conf_file = "/etc/passwd";
  spec.hostname_file = "/etc/passwd";
  // The host's /sys bound (no network namespace of its own): its cgroup mounts are covered.
  spec.mount_sysfs = true;
  spec.network = NetworkMode::kHost;
  auto plan = BuildMountPlan(spec, true);
  REQUIRE(plan);
  for (const char* file : {"/etc/resolv.conf", "/etc/hosts", "/etc/hostname"}) {
    const MountStep* step = Find(*plan, file);
    REQUIRE_MESSAGE(step, file);
    CHECK(step->source == "/etc/passwd");
    CHECK_FALSE(step->read_only);
  }
  const MountStep* cgroup = Find(*plan, "/sys/fs/cgroup");
  REQUIRE(cgroup);
  CHECK(cgroup->fstype == "tmpfs");
  CHECK((cgroup->flags & MS_RDONLY));
  CHECK(IndexOf(*plan, "/sys") < IndexOf(*plan, "/sys/fs/cgroup"));
  spec.privileged = true;  // --privileged sees the host's, as with docker's --cgroupns=host
  auto privileged = BuildMountPlan(spec, true);
  REQUIRE(privileged);
  CHECK_FALSE(Find(*privileged, "/sys/fs/cgroup"));
}

TEST_CASE("BuildMountPlan rejects bad binds") {
  SandboxSpec spec = BaseSpec();
  spec.binds = {{"relative", "/mnt", true}};
  CHECK(BuildMountPlan(spec, true).error().code() == ErrorCode::kInvalidArgument);
  spec.binds = {{"/tmp", "mnt", true}};
  CHECK(BuildMountPlan(spec, true).error().code() == ErrorCode::kInvalidArgument);
  spec.binds = {{"/tmp", "/../", true}};
  CHECK(BuildMountPlan(spec, true).error().code() == ErrorCode::kInvalidArgument);
  spec.binds = {{"/no/such/source/here", "/mnt", true}};
  auto missing = BuildMountPlan(spec, true);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().sys_errno() == ENOENT);
}

}  // namespace
}  // namespace builder::sandbox
