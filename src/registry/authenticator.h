// Authenticator: the Authorization header one registry wants, from its 401 challenges.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "registry/bearer_token.h"
#include "registry/registry_auth.h"
#include "registry/registry_transport.h"

namespace builder::registry {

/// The stored credentials for a registry, asked for only when a registry challenges.
using CredentialSource = std::function<Result<std::optional<RegistryCredentials>>()>;

/// Answers a registry's challenges for one client session: a `Bearer` challenge gets a token
/// for the session's scopes (anonymous, with Basic credentials, or through an OAuth2 POST
/// with an identity token), reused until it expires (then fetched again before the next
/// request) or until the registry answers 401 again (a new challenge: fetched again once);
/// a `Basic` challenge uses the stored credentials. Credentials and tokens never appear in
/// errors. Not thread-safe.
class Authenticator {
 public:
  /// `transport` must outlive this. `host` names the registry in messages.
  Authenticator(RegistryTransport& transport, std::string host, CredentialSource credentials,
                std::function<Clock::time_point()> clock = &Clock::now);

  /// The scopes tokens are asked for ("repository:REPO:pull", "repository:REPO:pull,push",
  /// "repository:OTHER:pull" for a mount source, "registry:catalog:*"). A new set drops the
  /// current token so the next challenge gets one that covers it.
  void SetScopes(std::vector<std::string> scopes);
  /// Asks token endpoints for a refresh token as well (docker login's offline_token=true).
  void set_offline(bool offline) { offline_ = offline; }

  /// Adds the Authorization header the session holds, if any, fetching a new token first
  /// when the current one has expired.
  [[nodiscard]] Result<void> Apply(HttpRequest& request);
  /// Handles a 401 (the response's WWW-Authenticate challenges): afterwards Apply sends new
  /// authorization. kPermission when no challenge is usable, credentials are needed but none
  /// are stored, or the token endpoint refuses ("unauthorized: incorrect username or
  /// password" when credentials were sent).
  [[nodiscard]] Result<void> OnUnauthorized(const HttpResponse& challenged);

  /// Whether stored credentials were found (after the first challenge).
  bool had_credentials() const { return credentials_ && *credentials_; }
  /// The refresh token the endpoint gave (offline mode), else empty.
  const std::string& refresh_token() const { return refresh_token_; }

 private:
  [[nodiscard]] Result<std::optional<RegistryCredentials>> Credentials();
  [[nodiscard]] Result<void> FetchToken();

  RegistryTransport& transport_;
  std::string host_;
  CredentialSource credential_source_;
  std::function<Clock::time_point()> clock_;
  std::vector<std::string> scopes_;
  bool offline_ = false;
  std::optional<std::optional<RegistryCredentials>> credentials_;  ///< loaded once
  std::optional<AuthChallenge> bearer_;  ///< the last bearer challenge, for refreshes
  std::optional<BearerToken> token_;
  std::string basic_;  ///< "Basic ..." once a Basic challenge was answered
  std::string refresh_token_;
};

}  // namespace builder::registry
