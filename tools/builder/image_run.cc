// The image-config-to-SandboxSpec step of `debug run` and `debug spec` (the runner has its own).
#include "image_run.h"

#include <fcntl.h>
#include <stdlib.h>

#include "base/staging_lease.h"
#include "base/path.h"
#include "oci/merged_view.h"
#include "oci/safe_path.h"
#include "oci/snapshot_store.h"
#include "oci/user_db.h"
#include "runner/volume_store.h"

namespace builder::cli {

Result<ImageRun> PrepareImageRun(const oci::ImageStore& store, const std::string& name,
                                 const std::vector<std::string>& cmd) {
  oci::StoredImage image = BUILDER_TRY(store.Resolve(name));
  ImageRun run;
  run.rootfs = BUILDER_TRY(oci::SnapshotStore(store).Prepare(image));
  const oci::ContainerConfig& config = image.config.config;
  std::vector<std::string> argv = config.entrypoint;
  const std::vector<std::string>& args = cmd.empty() ? config.cmd : cmd;
  argv.insert(argv.end(), args.begin(), args.end());
  if (argv.empty()) return Fail(ErrorCode::kInvalidArgument, "no command specified");
  oci::MergedView view({run.rootfs});
  oci::ResolvedUser user = BUILDER_TRY(oci::ResolveRunUser(view, config.user));

  run.scratch = BUILDER_TRY(StagingTemplate(store.blobs().TmpDir(), "run"));
  if (!::mkdtemp(run.scratch.data())) return FailErrno("mkdtemp " + run.scratch, errno);
  sandbox::SandboxSpec& spec = run.spec;
  spec.lower_dirs = {run.rootfs};
  spec.upper_dir = run.scratch + "/upper";
  spec.work_dir = run.scratch + "/work";
  BUILDER_TRY(MakeDirs(spec.upper_dir));
  BUILDER_TRY(MakeDirs(spec.work_dir));
  spec.argv = argv;
  spec.env = config.env;
  bool has_home = false;
  for (const auto& e : spec.env) has_home = has_home || e.starts_with("HOME=");
  if (!has_home) spec.env.push_back("HOME=" + user.home);
  spec.cwd = config.working_dir.empty() ? "/" : config.working_dir;
  spec.uid = user.uid;
  spec.gid = user.gid;
  spec.groups = user.groups;
  return run;
}

Result<void> AddVolumeFlag(const oci::ImageStore& store, const std::string& flag, ImageRun* run) {
  const std::size_t colon = flag.find(':');
  if (colon == std::string::npos || colon == 0) {
    return Fail(ErrorCode::kInvalidArgument, "bad -v " + flag + ": want SRC:DST[:ro]");
  }
  sandbox::BindMount bind;
  bind.source = flag.substr(0, colon);
  bind.destination = flag.substr(colon + 1);
  bind.read_only = false;
  if (const std::size_t mode = bind.destination.find(':'); mode != std::string::npos) {
    const std::string m = bind.destination.substr(mode + 1);
    if (m != "ro" && m != "rw") return Fail(ErrorCode::kInvalidArgument, "bad -v mode " + m);
    bind.read_only = m == "ro";
    bind.destination.resize(mode);
  }
  if (bind.destination.empty() || bind.destination.front() != '/') {
    return Fail(ErrorCode::kInvalidArgument, "bad -v " + flag + ": the destination must be absolute");
  }
  if (bind.source.front() != '/') {
    runner::VolumeStore volumes = BUILDER_TRY(runner::VolumeStore::Open(store.root()));
    runner::VolumeInfo info = BUILDER_TRY(volumes.GetOrCreate(bind.source));
    // The image's content at DST, as the container would resolve it: a symlink leading out of
    // the rootfs is refused, a missing directory leaves the volume empty.
    UniqueFd root(::open(run->rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return FailErrno("open " + run->rootfs, errno);
    auto dir = oci::ResolveDirInRoot(root.get(), bind.destination, false);
    if (dir) {
      BUILDER_TRY(volumes.CopyUpIfEmpty(info.name, run->rootfs + "/" + dir->path));
    } else if (dir.error().sys_errno() != ENOENT && dir.error().sys_errno() != ENOTDIR) {
      return Fail(std::move(dir.error()).Context("volume " + info.name + " at " + bind.destination));
    }
    bind.source = info.mountpoint;
  }
  run->spec.binds.push_back(std::move(bind));
  return {};
}

}  // namespace builder::cli
