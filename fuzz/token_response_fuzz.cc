// libFuzzer target: a token endpoint's JSON answer (bearer tokens, OAuth2 answers).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registry/bearer_token.h"
#include "registry/registry_auth.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto token = builder::registry::ParseBearerToken(text, builder::registry::Clock::now());
  if (!token) (void)token.error().ToString();
  auto plain = builder::registry::ParseTokenResponse(text);
  if (!plain) (void)plain.error().ToString();
  return 0;
}
