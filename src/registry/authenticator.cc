// Authenticator: challenge handling, token reuse until expiry, refresh on expiry and on 401.
#include "registry/authenticator.h"

#include <algorithm>

namespace builder::registry {

Authenticator::Authenticator(RegistryTransport& transport, std::string host, CredentialSource credentials,
                             std::function<Clock::time_point()> clock)
    : transport_(transport),
      host_(std::move(host)),
      credential_source_(std::move(credentials)),
      clock_(std::move(clock)) {}

void Authenticator::SetScopes(std::vector<std::string> scopes) {
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  if (scopes == scopes_) return;
  scopes_ = std::move(scopes);
  token_.reset();
}

Result<std::optional<RegistryCredentials>> Authenticator::Credentials() {
  if (!credentials_) {
    if (!credential_source_) {
      credentials_.emplace();
    } else {
      credentials_ = BUILDER_TRY(credential_source_());
    }
  }
  return *credentials_;
}

Result<void> Authenticator::FetchToken() {
  TokenRequest request;
  request.scopes = scopes_;
  // A scope the registry names in its challenge (insufficient_scope) is asked for too.
  if (auto s = bearer_->params.find("scope"); s != bearer_->params.end() && !s->second.empty() &&
                                              std::find(scopes_.begin(), scopes_.end(), s->second) == scopes_.end())
    request.scopes.push_back(s->second);
  request.credentials = BUILDER_TRY(Credentials());
  if (request.credentials && !refresh_token_.empty()) request.credentials->identity_token = refresh_token_;
  request.offline = offline_;
  auto token = FetchBearerToken(transport_, *bearer_, request, clock_());
  if (!token) return Fail(std::move(token.error()).Context(host_));
  if (!token->refresh_token.empty()) refresh_token_ = token->refresh_token;
  token_ = std::move(*token);
  return {};
}

Result<void> Authenticator::Apply(HttpRequest& request) {
  if (token_ && bearer_ && clock_() >= token_->expires) BUILDER_TRY(FetchToken());
  if (token_) {
    request.headers.emplace_back("Authorization", "Bearer " + token_->token);
  } else if (!basic_.empty()) {
    request.headers.emplace_back("Authorization", basic_);
  }
  return {};
}

Result<void> Authenticator::OnUnauthorized(const HttpResponse& challenged) {
  std::vector<AuthChallenge> challenges;
  for (const std::string& h : challenged.Headers("www-authenticate"))
    for (AuthChallenge& c : ParseAuthChallenges(h)) challenges.push_back(std::move(c));
  for (const AuthChallenge& c : challenges) {
    if (c.scheme != "bearer") continue;
    bearer_ = c;
    token_.reset();
    return FetchToken();
  }
  for (const AuthChallenge& c : challenges) {
    if (c.scheme != "basic") continue;
    auto creds = BUILDER_TRY(Credentials());
    if (!creds)
      return Fail(ErrorCode::kPermission, host_ + " requires credentials and none are stored "
                                          "(builder login, ~/.docker/config.json or $REGISTRY_AUTH_FILE)");
    basic_ = BasicAuthorization(*creds);
    return {};
  }
  return Fail(ErrorCode::kPermission, host_ + " answered 401 without a usable authentication challenge");
}

}  // namespace builder::registry
