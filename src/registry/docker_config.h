// DockerConfig: docker's config.json (auths, credsStore, credHelpers) read and rewritten in place.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "registry/registry_auth.h"

namespace builder::registry {

/// The key docker files credentials under for a registry: "https://index.docker.io/v1/" for
/// Docker Hub ("docker.io", "index.docker.io", "registry-1.docker.io"), else the domain as
/// written ("127.0.0.1:5000").
std::string CredentialKey(std::string_view domain);

/// $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json; empty when neither is set.
std::string DefaultDockerConfigPath();

/// One config.json. Everything the file holds besides what builder edits (proxies, aliases,
/// HttpHeaders, other tools' keys) is kept byte-for-byte in meaning when it is saved again.
class DockerConfig {
 public:
  /// Reads `path`; a missing file is an empty config. kParse/kCorrupt (naming the path, never
  /// a secret) for a malformed one.
  [[nodiscard]] static Result<DockerConfig> Load(std::string path);
  /// Parses config text (for tests and $REGISTRY_AUTH_FILE).
  [[nodiscard]] static Result<DockerConfig> Parse(std::string_view text, std::string path = {});

  /// The credential helper for `domain`: credHelpers[host] when present, else credsStore;
  /// nullopt for the file itself.
  std::optional<std::string> HelperFor(std::string_view domain) const;
  /// The "auths" entry for `domain` (keys may carry a scheme and a path; docker.io matches
  /// Hub's legacy keys): "auth" = base64(user:password), or "username"/"password", plus
  /// "identitytoken". nullopt when absent or empty.
  [[nodiscard]] Result<std::optional<RegistryCredentials>> AuthFor(std::string_view domain) const;
  /// Files credentials under CredentialKey(domain), replacing any entry for the same host.
  /// With an identity token, "auth" holds "<username>:" and "identitytoken" the token, as
  /// docker writes it.
  void SetAuth(std::string_view domain, const RegistryCredentials& credentials);
  /// Leaves an empty entry for the host (docker does so when a helper holds the secret).
  void SetEmptyAuth(std::string_view domain);
  /// Drops every "auths" entry for the host of `domain`; false when there was none.
  bool EraseAuth(std::string_view domain);

  /// Writes the file: temp + fsync + rename, mode 0600, its directory created (0700).
  [[nodiscard]] Result<void> Save() const;

  const std::string& path() const { return path_; }
  /// The document as JSON text (tab-indented, as docker writes it).
  std::string Text() const;

 private:
  std::string path_;
  std::string text_;  ///< the document, serialized; parsed again by each accessor (small)
};

}  // namespace builder::registry
