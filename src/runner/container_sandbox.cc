// ContainerSpec -> SandboxSpec.
#include "runner/container_sandbox.h"

#include <sys/stat.h>

#include "base/path.h"
#include "oci/merged_view.h"
#include "oci/user_db.h"

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

}  // namespace

Result<sandbox::SandboxSpec> SandboxSpecFor(const ContainerStore& store,
                                            const ContainerSpec& container) {
  const std::string dir = store.DirOf(container.id);
  sandbox::SandboxSpec spec;
  spec.lower_dirs = container.rootfs_layers;
  spec.upper_dir = dir + "/upper";
  spec.work_dir = dir + "/work";
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
  spec.env = container.env;
  if (!HasKey(spec.env, "PATH")) spec.env.insert(spec.env.begin(), kDefaultPath);
  if (!HasKey(spec.env, "HOSTNAME")) spec.env.push_back("HOSTNAME=" + container.hostname);
  if (!HasKey(spec.env, "HOME")) spec.env.push_back("HOME=" + user.home);

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
  spec.network = container.network == "none" ? sandbox::NetworkMode::kNone
                                             : sandbox::NetworkMode::kHost;
  for (const MountSpec& m : container.mounts) {
    if (m.type == "bind") {
      spec.binds.push_back(sandbox::BindMount{m.source, m.destination, m.read_only});
    } else {
      return Fail(ErrorCode::kUnsupported,
                  m.type + " mounts are not supported yet (" + m.destination + ")");
    }
  }
  return spec;
}

}  // namespace builder::runner
