// Foreign architectures: whether a RUN for another platform can go through qemu-user, which the
// kernel starts via binfmt_misc.
#pragma once

#include <string>

#include "base/error.h"
#include "oci/platform.h"
#include "planner/step.h"

namespace builder::executor {

/// The binfmt_misc handler name for an OCI architecture ("arm64" -> "qemu-aarch64"); "" when
/// qemu has no user-mode emulator for it.
std::string QemuHandlerName(const std::string& architecture);

/// Ok when binaries for `platform` run here: the host's own architecture (386 on amd64 too),
/// else a binfmt_misc handler qemu-<arch> under `binfmt_dir` that is enabled and has the F
/// (fix binary) flag, so the interpreter is opened at registration and works inside the
/// sandbox's root. kUnsupported otherwise, saying what is missing and naming Debian's
/// qemu-user-static and binfmt-support packages and how to mount binfmt_misc.
[[nodiscard]] Result<void> CheckCanRun(const oci::Platform& platform,
                                       const std::string& binfmt_dir = "/proc/sys/fs/binfmt_misc");

/// CheckCanRun for the platform of every stage of plan that has a RUN step (stages without a
/// platform, plans made by hand, are the host's).
[[nodiscard]] Result<void> CheckPlanRuns(const planner::BuildPlan& plan);

}  // namespace builder::executor
