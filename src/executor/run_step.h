// Running one RUN step in the sandbox over the build's layers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "executor/build_cancel.h"
#include "oci/merged_view.h"
#include "planner/step.h"
#include "sandbox/network_attacher.h"
#include "sandbox/sandbox_spec.h"

namespace builder::executor {

struct RunStepOptions {
  std::string upper_dir;  ///< fresh, empty
  std::string work_dir;   ///< fresh, empty, same filesystem
  std::string scratch_dir;  ///< for heredoc script files
  std::string network_override;  ///< --network of the build: "", "default", "none", "host"
  /// Connects the own namespace of a RUN on the default network; unset: the host's network.
  sandbox::NetworkAttacher default_network;
  /// RUN --mount directories, prepared by the caller (host source -> container target).
  std::vector<sandbox::BindMount> binds;
  /// "K=V" for this RUN only (secret env=, SSH_AUTH_SOCK), over the step's own; never recorded.
  std::vector<std::string> secret_env;
  /// Each complete output line (stdout and stderr interleaved), as it arrives.
  std::function<void(std::string_view)> on_line;
  /// When set, the sandbox is registered while it runs so that a failing step elsewhere in the
  /// build kills it (the step then fails with "killed by signal 9").
  BuildCancel* cancel = nullptr;
  /// Called once the command runs (its mounts are made): what only the mounts needed, such as
  /// secret files, can go from the host now, so a build killed later leaves none behind.
  std::function<void()> on_started;
};

/// Runs step over view (lower dirs, topmost first). The user is resolved in the image's
/// /etc/passwd; a missing cwd is created in the upper dir (as runc does). A non-zero exit fails
/// with BuildKit's wording: `process "/bin/sh -c false" did not complete successfully: exit
/// code: 1`, followed by the last output lines.
[[nodiscard]] Result<void> RunInSandbox(const planner::RunStep& step, const oci::MergedView& view,
                                        const RunStepOptions& options);

}  // namespace builder::executor
