// The docker login store: $REGISTRY_AUTH_FILE, config.json auths and credential helpers together.
#include "registry/credential_store.h"

#include <cstdlib>

#include "registry/credential_helper.h"
#include "registry/docker_config.h"

namespace builder::registry {

Result<std::optional<RegistryCredentials>> LoadStoredCredentials(std::string_view domain) {
  if (const char* f = std::getenv("REGISTRY_AUTH_FILE"); f && *f) {
    DockerConfig file = BUILDER_TRY(DockerConfig::Load(f));
    auto found = BUILDER_TRY(file.AuthFor(domain));
    if (found) return found;
  }
  std::string path = DefaultDockerConfigPath();
  if (path.empty()) return std::optional<RegistryCredentials>();
  DockerConfig config = BUILDER_TRY(DockerConfig::Load(path));
  if (auto helper = config.HelperFor(domain)) {
    auto found = CredentialHelper(*helper).Get(CredentialKey(domain));
    if (!found) return Fail(std::move(found.error()).Context("read credentials for " + std::string(domain)));
    return found;
  }
  return config.AuthFor(domain);
}

Result<StoredIn> StoreCredentials(std::string_view domain, const RegistryCredentials& credentials) {
  std::string path = DefaultDockerConfigPath();
  DockerConfig config = BUILDER_TRY(DockerConfig::Load(path));
  StoredIn where{config.path(), {}};
  if (auto helper = config.HelperFor(domain)) {
    CredentialHelper h(*helper);
    BUILDER_TRY(h.Store(CredentialKey(domain), credentials));
    where.helper = h.program();
    config.SetEmptyAuth(domain);
  } else {
    config.SetAuth(domain, credentials);
  }
  BUILDER_TRY(config.Save());
  return where;
}

Result<bool> EraseCredentials(std::string_view domain) {
  std::string path = DefaultDockerConfigPath();
  DockerConfig config = BUILDER_TRY(DockerConfig::Load(path));
  bool had = false;
  if (auto helper = config.HelperFor(domain)) {
    CredentialHelper h(*helper);
    auto found = BUILDER_TRY(h.Get(CredentialKey(domain)));
    had = found.has_value();
    BUILDER_TRY(h.Erase(CredentialKey(domain)));
  }
  if (config.EraseAuth(domain)) {
    had = true;
    BUILDER_TRY(config.Save());
  }
  return had;
}

}  // namespace builder::registry
