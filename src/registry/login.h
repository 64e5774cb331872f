// Checking credentials against a registry before `builder login` stores them.
#pragma once

#include <string_view>

#include "base/error.h"
#include "registry/registry_auth.h"
#include "registry/registry_transport.h"

namespace builder::registry {

/// Logs in to `domain` ("docker.io", "127.0.0.1:5000") as docker login does: GET /v2/, and on
/// a 401 answers its challenge with `credentials` (Basic, or a token fetched with them and
/// offline_token=true), then GET /v2/ again with it. Returns the credentials to store: as
/// given, or, when the token endpoint issued a refresh token, that identity token instead of
/// the password (docker's identitytoken). kPermission "unauthorized: incorrect username or
/// password" when the registry refuses them; kIo for transport failures (TLS errors name the
/// host). The password never appears in an error.
[[nodiscard]] Result<RegistryCredentials> VerifyLogin(RegistryTransport& transport, std::string_view domain,
                                                      const RegistryCredentials& credentials);

}  // namespace builder::registry
