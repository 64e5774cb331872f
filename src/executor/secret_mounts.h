// One RUN's secret and ssh mounts made real: secret files, forwarded agent sockets, env entries.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "executor/agent_proxy.h"
#include "executor/build_secrets.h"
#include "planner/step.h"
#include "sandbox/sandbox_spec.h"

namespace builder::executor {

/// The binds and environment a RUN's secret and ssh mounts add. Secret files live in a
/// directory of their own below BuildSecrets::dir() (a tmpfs where the host has one), removed
/// with this object, so no value outlives its RUN on the host or reaches the layer (the sandbox
/// removes the mount points it created in the upper dir). Move-only.
class SecretMounts {
 public:
  SecretMounts() = default;
  SecretMounts(SecretMounts&& other) noexcept;
  SecretMounts& operator=(SecretMounts&& other) noexcept;
  SecretMounts(const SecretMounts&) = delete;
  SecretMounts& operator=(const SecretMounts&) = delete;
  ~SecretMounts();

  /// Prepares run's secret/ssh mounts from `secrets` (may be null: none given). A missing id is
  /// skipped unless the mount is required: then kNotFound, naming the id (`secret ID: not found`,
  /// `no SSH key "ID" forwarded from the client`). Secret files get the mount's mode, uid, gid;
  /// `env=` adds ID's value as that variable; the first ssh mount sets SSH_AUTH_SOCK unless the
  /// step's env has one.
  [[nodiscard]] static Result<SecretMounts> Prepare(const BuildSecrets* secrets, const planner::RunStep& run);

  /// Removes the secret files from the host once the RUN's sandbox has mounted them (the
  /// mounts keep them readable there): a build killed by SIGKILL then leaves no value on disk.
  void RemoveFiles();

  const std::vector<sandbox::BindMount>& binds() const { return binds_; }
  /// "K=V" entries for this RUN only: never in a step, a key, the config or the progress.
  const std::vector<std::string>& env() const { return env_; }

 private:
  [[nodiscard]] Result<void> EnsureDir(const BuildSecrets& secrets);

  std::string dir_;
  std::vector<sandbox::BindMount> binds_;
  std::vector<std::string> env_;
  std::vector<std::unique_ptr<AgentProxy>> proxies_;  ///< one per ssh mount, for the RUN only
};

}  // namespace builder::executor
