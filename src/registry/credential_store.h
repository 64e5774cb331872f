// Stored registry credentials as docker keeps them: config.json's auths or a credential helper.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "registry/registry_auth.h"

namespace builder::registry {

/// The credentials for `domain` ("docker.io", "127.0.0.1:5000"): an entry of
/// $REGISTRY_AUTH_FILE when set and it has one (read only, podman's file), else the docker
/// config's (DefaultDockerConfigPath): its credential helper (credHelpers, credsStore) when it
/// names one, else its "auths" entry. nullopt when nothing is stored.
[[nodiscard]] Result<std::optional<RegistryCredentials>> LoadStoredCredentials(std::string_view domain);

/// Where StoreCredentials put the secret, for the login message.
struct StoredIn {
  std::string config_path;  ///< the config.json written
  std::string helper;       ///< "docker-credential-NAME" when a helper holds the secret
};

/// Stores credentials for `domain` as `docker login` does: in the helper when the config names
/// one (config.json then gets an empty "auths" entry, as docker leaves), else base64 in
/// config.json's "auths" (helper left empty: docker then warns the password is stored unencrypted).
[[nodiscard]] Result<StoredIn> StoreCredentials(std::string_view domain, const RegistryCredentials& credentials);

/// Removes them from the helper and from config.json as `docker logout` does. false when
/// nothing was stored for the registry.
[[nodiscard]] Result<bool> EraseCredentials(std::string_view domain);

}  // namespace builder::registry
