// CredentialHelper: docker's docker-credential-NAME programs (get/store/erase/list over stdin/stdout).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "registry/registry_auth.h"

namespace builder::registry {

/// One credential helper, run as `docker-credential-<name> <action>` (looked up in PATH) with
/// the request on stdin, as docker's credential-helpers protocol says:
///   get:   stdin "<server>",            stdout {"ServerURL","Username","Secret"}
///   store: stdin {"ServerURL","Username","Secret"}
///   erase: stdin "<server>"
///   list:  stdout {"<server>": "<username>", ...}
/// A secret only ever travels on stdin/stdout, never on argv; it is never put in an error.
/// A username of "<token>" means Secret is an identity (refresh) token.
class CredentialHelper {
 public:
  explicit CredentialHelper(std::string name) : name_(std::move(name)) {}

  /// nullopt when the helper says "credentials not found in native keychain".
  /// Errors name the program and quote its own message (stdout or stderr).
  [[nodiscard]] Result<std::optional<RegistryCredentials>> Get(std::string_view server) const;
  [[nodiscard]] Result<void> Store(std::string_view server, const RegistryCredentials& credentials) const;
  /// Succeeds when the helper had nothing to erase, as docker does.
  [[nodiscard]] Result<void> Erase(std::string_view server) const;
  [[nodiscard]] Result<std::map<std::string, std::string>> List() const;

  /// "docker-credential-<name>".
  std::string program() const { return "docker-credential-" + name_; }

 private:
  [[nodiscard]] Result<std::string> Run(std::string_view action, std::string_view input) const;
  std::string name_;
};

}  // namespace builder::registry
