// RUN --mount=type=secret|ssh planned as BuildKit's frontend does: ids, targets and defaults.
#pragma once

#include <string>

#include "base/error.h"
#include "parser/mount_spec.h"
#include "planner/step.h"

namespace builder::planner {

/// The RunMount of a secret or ssh mount spec (already expanded). Secret: id from `id`, else
/// `source`, else the base name of the target; target /run/secrets/<id> unless given or unless
/// only `env` is asked for; mode 0400. Ssh: id "default" unless given, target
/// /run/buildkit/ssh_agent.<N> (N counts the RUN's ssh mounts, *ssh_index is advanced), mode
/// 0600. Relative targets are below `workdir`. Errors (kInvalidArgument): a secret with neither
/// id, source nor target; an ssh mount with a source.
[[nodiscard]] Result<RunMount> PlanSecretMount(const parser::MountSpec& spec, const std::string& workdir,
                                               int* ssh_index);

}  // namespace builder::planner
