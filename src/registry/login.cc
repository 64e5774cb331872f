// VerifyLogin: GET /v2/ through the challenge flow with the credentials to be stored.
#include "registry/login.h"

#include "registry/authenticator.h"
#include "registry/registry_client.h"

namespace builder::registry {

Result<RegistryCredentials> VerifyLogin(RegistryTransport& transport, std::string_view domain,
                                        const RegistryCredentials& credentials) {
  RegistryEndpoint endpoint = RegistryEndpoint::For(domain);
  Authenticator auth(transport, endpoint.host, [credentials]() -> Result<std::optional<RegistryCredentials>> {
    return std::optional<RegistryCredentials>(credentials);
  });
  auth.set_offline(true);
  HttpRequest ping;
  ping.url = endpoint.ApiUrl();
  HttpResponse response = BUILDER_TRY(transport.Send(ping, nullptr, 1 << 20));
  if (response.status == 401) {
    auto answered = auth.OnUnauthorized(response);
    if (!answered) {
      if (answered.error().message().find("incorrect username or password") != std::string::npos)
        return Fail(ErrorCode::kPermission, "unauthorized: incorrect username or password");
      return Fail(std::move(answered.error()));
    }
    HttpRequest again = ping;
    BUILDER_TRY(auth.Apply(again));
    response = BUILDER_TRY(transport.Send(again, nullptr, 1 << 20));
    if (response.status == 401 || response.status == 403)
      return Fail(ErrorCode::kPermission, "unauthorized: incorrect username or password");
  }
  if (response.status != 200)
    return Fail(ErrorCode::kIo, "GET " + ping.url + ": HTTP " + std::to_string(response.status));
  RegistryCredentials out = credentials;
  if (!auth.refresh_token().empty()) {
    out.password.clear();
    out.identity_token = auth.refresh_token();
  }
  return out;
}

}  // namespace builder::registry
