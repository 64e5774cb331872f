// The build's --secret values and --ssh agent sockets: what secret and ssh RUN mounts expose.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/subprocess.h"

namespace builder::executor {

/// Everything secret and ssh mounts can reach. Values are held in memory only; nothing here is
/// ever printed, keyed or stored (errors name ids and paths, never contents).
class BuildSecrets {
 public:
  BuildSecrets() = default;
  BuildSecrets(BuildSecrets&&) noexcept = default;
  BuildSecrets& operator=(BuildSecrets&&) noexcept = default;
  ~BuildSecrets();

  /// Adds one `--secret` value, as docker buildx: `id=ID[,src=FILE|source=FILE][,env=VAR]
  /// [,type=file|env]`; with neither src nor env, the environment variable ID when it is set,
  /// else the file ID. The value is read now. Errors (kInvalidArgument): a field without '=', an
  /// unknown key or type, a missing id; a file that cannot be read (kNotFound/kIo, naming the
  /// path) or an unset variable (naming it).
  [[nodiscard]] Result<void> AddSecret(std::string_view flag);

  /// Adds one `--ssh` value: `default` (the agent at $SSH_AUTH_SOCK) or `ID=PATH[,PATH...]`,
  /// where a single socket is forwarded as is and key files are loaded into an ssh-agent this
  /// object starts (and kills when destroyed). Errors: an empty SSH_AUTH_SOCK for `default`, a
  /// missing path, ssh-agent or ssh-add failing (kNotFound names openssh-client when missing).
  [[nodiscard]] Result<void> AddSsh(std::string_view flag);

  /// A private directory (0700, on a tmpfs when there is one: /dev/shm, else $XDG_RUNTIME_DIR,
  /// else /tmp) for the agents' sockets and the secret files of RUN steps, removed with this
  /// object. Empty until a secret or an ssh id was added.
  const std::string& dir() const { return dir_; }

  /// The secret's value, or nullptr when the build has no secret of that id.
  const std::string* secret(const std::string& id) const;
  /// The agent socket of an ssh id, or nullptr.
  const std::string* ssh_socket(const std::string& id) const;

 private:
  [[nodiscard]] Result<void> EnsureDir();

  std::string dir_;
  std::map<std::string, std::string> secrets_;
  std::map<std::string, std::string> ssh_;
  std::vector<std::unique_ptr<Child>> agents_;
};

}  // namespace builder::executor
