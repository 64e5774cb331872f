// Bearer tokens from a registry's token endpoint: the request (GET or OAuth2 POST) and the answer.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "registry/registry_auth.h"
#include "registry/registry_transport.h"

namespace builder::registry {

using Clock = std::chrono::system_clock;

/// A token and when it stops being good. Never logged or put in an error.
struct BearerToken {
  std::string token;
  std::string refresh_token;  ///< from offline_token=true / OAuth2 answers, else empty
  Clock::time_point expires;  ///< issued_at (else now) + expires_in (else 60 s, at most a day)
};

/// The token endpoint's JSON: "token" (else "access_token"), "expires_in" seconds, "issued_at"
/// (RFC 3339), "refresh_token". kCorrupt when no token (the body is never quoted back).
[[nodiscard]] Result<BearerToken> ParseBearerToken(std::string_view json, Clock::time_point now);

/// What a token request asks for.
struct TokenRequest {
  std::vector<std::string> scopes;  ///< "repository:lib/bb:pull,push", "registry:catalog:*"
  /// Basic credentials for the GET form; an identity_token makes it an OAuth2 POST
  /// (grant_type=refresh_token), as docker's distribution client does.
  std::optional<RegistryCredentials> credentials;
  bool offline = false;  ///< ask for a refresh token (offline_token=true / access_type=offline)
  std::string client_id = "builder";
};

/// The HTTP request for `challenge` (a "bearer" one with a realm): a GET of realm?service=..
/// &scope=..&scope=.. (plus offline_token=true&client_id=.. when offline) with Basic
/// credentials when given, or, with an identity token, a POST of the form grant_type=
/// refresh_token&refresh_token=..&service=..&client_id=..&scope=a b. kInvalidArgument for a
/// challenge without an http(s) realm.
[[nodiscard]] Result<HttpRequest> BuildTokenRequest(const AuthChallenge& challenge, const TokenRequest& request);

/// Sends BuildTokenRequest and parses the answer. A refused request is kPermission:
/// "unauthorized: incorrect username or password" when credentials were sent (401/403),
/// else "token request to HOST:PORT: HTTP <status>" with the endpoint's own reason.
[[nodiscard]] Result<BearerToken> FetchBearerToken(RegistryTransport& transport, const AuthChallenge& challenge,
                                                   const TokenRequest& request, Clock::time_point now);


}  // namespace builder::registry
