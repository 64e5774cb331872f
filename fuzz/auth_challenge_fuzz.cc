// libFuzzer target: WWW-Authenticate challenges (RFC 7235) and the token URL built from them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registry/registry_auth.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& challenge : builder::registry::ParseAuthChallenges(text)) {
    auto url = builder::registry::TokenUrl(challenge, "");
    if (!url) (void)url.error().ToString();
    (void)builder::registry::TokenUrl(challenge, "repository:a/b:pull");
  }
  return 0;
}
