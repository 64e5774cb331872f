// RUN --mount=type=secret|ssh planned as BuildKit's frontend does: ids, targets and defaults.
#include "planner/secret_mount.h"

#include "base/path.h"

namespace builder::planner {
namespace {

std::string AbsoluteTarget(const std::string& target, const std::string& workdir) {
  std::string out = target.starts_with("/") ? CleanPath(target) : JoinPath(workdir, target);
  return out.starts_with("/") ? out : "/" + out;
}

std::string BaseName(const std::string& path) {
  std::string clean = CleanPath(path);
  auto slash = clean.rfind('/');
  return slash == std::string::npos ? clean : clean.substr(slash + 1);
}

}  // namespace

Result<RunMount> PlanSecretMount(const parser::MountSpec& spec, const std::string& workdir,
                                 int* ssh_index) {
  RunMount mount;
  mount.type = spec.type;
  mount.required = spec.required;
  if (!spec.uid.empty()) mount.uid = static_cast<unsigned>(std::stoul(spec.uid));
  if (!spec.gid.empty()) mount.gid = static_cast<unsigned>(std::stoul(spec.gid));
  if (spec.type == "ssh") {
    if (!spec.source.empty()) return Fail(ErrorCode::kInvalidArgument, "ssh does not support source");
    mount.secret_id = spec.id.empty() ? "default" : spec.id;
    mount.target = spec.target.empty() ? "/run/buildkit/ssh_agent." + std::to_string((*ssh_index)++)
                                       : AbsoluteTarget(spec.target, workdir);
    mount.mode = spec.mode.empty() ? 0600 : static_cast<unsigned>(std::stoul(spec.mode, nullptr, 8));
    return mount;
  }
  mount.secret_id = !spec.source.empty() ? spec.source : spec.id;
  if (mount.secret_id.empty()) {
    if (spec.target.empty())
      return Fail(ErrorCode::kInvalidArgument, "invalid secret mount. one of source, target required");
    mount.secret_id = BaseName(spec.target);
  }
  mount.secret_env = spec.env;
  if (!spec.target.empty()) mount.target = AbsoluteTarget(spec.target, workdir);
  else if (spec.env.empty()) mount.target = "/run/secrets/" + BaseName(mount.secret_id);
  mount.mode = spec.mode.empty() ? 0400 : static_cast<unsigned>(std::stoul(spec.mode, nullptr, 8));
  return mount;
}

}  // namespace builder::planner
