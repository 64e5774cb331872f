// Registry authentication: WWW-Authenticate challenges, bearer token requests, stored credentials.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::registry {

/// One challenge of a WWW-Authenticate header: `Bearer realm="..",service="..",scope=".."`.
struct AuthChallenge {
  std::string scheme;                         ///< lower-cased: "bearer", "basic"
  std::map<std::string, std::string> params;  ///< names lower-cased, values unquoted
};

/// Parses a WWW-Authenticate value (RFC 7235: one or more challenges, each a scheme and
/// comma-separated name=value or name="quoted value" parameters). Malformed parts are skipped;
/// an empty result means nothing usable.
std::vector<AuthChallenge> ParseAuthChallenges(std::string_view header);

/// A user name and password for one registry. Never logged or put in an error.
struct RegistryCredentials {
  std::string username;
  std::string password;
  /// A refresh token (docker's "identitytoken"), used instead of the password at token
  /// endpoints (OAuth2 grant_type=refresh_token).
  std::string identity_token;
};

/// The credentials a docker-style auth file (`{"auths": {"host": {"auth": base64("user:pass")}}}`,
/// or "username"/"password" fields) holds for `domain` ("docker.io" also matches the
/// index.docker.io and registry-1.docker.io keys; keys may carry a scheme and a path).
/// nullopt when the file has no entry. kParse/kCorrupt for a malformed file (naming neither
/// the user nor the secret).
[[nodiscard]] Result<std::optional<RegistryCredentials>> ParseAuthFile(std::string_view json,
                                                                       std::string_view domain);

/// The stored credentials for `domain`: LoadStoredCredentials (credential_store.h:
/// $REGISTRY_AUTH_FILE, then the docker config's credential helper or "auths").
[[nodiscard]] Result<std::optional<RegistryCredentials>> LoadRegistryCredentials(
    std::string_view domain);

/// "Basic " + base64("user:password").
std::string BasicAuthorization(const RegistryCredentials& credentials);

/// The token endpoint URL of a bearer challenge: realm with service and scope as query
/// parameters (percent-encoded). `scope` replaces the challenge's when not empty.
/// kInvalidArgument when the realm is missing or not http(s).
[[nodiscard]] Result<std::string> TokenUrl(const AuthChallenge& challenge, std::string_view scope);

/// The token of a token endpoint's JSON answer ("token", else "access_token").
/// kCorrupt when neither is present (the body is not quoted back: it may hold secrets).
[[nodiscard]] Result<std::string> ParseTokenResponse(std::string_view json);

/// Standard base64 with padding.
std::string Base64Encode(std::string_view bytes);
/// Decodes standard base64 (padding optional); nullopt for invalid input.
std::optional<std::string> Base64Decode(std::string_view text);

/// application/x-www-form-urlencoded / query-string escaping (RFC 3986 unreserved kept).
std::string FormEncode(std::string_view s);

}  // namespace builder::registry
