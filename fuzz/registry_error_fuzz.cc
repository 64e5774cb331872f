// libFuzzer target: a registry's error body ({"errors":[{"code","message","detail"}]}) as it is
// turned into the reason of an error message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "registry/registry_client.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  builder::registry::HttpResponse response;
  response.status = 400 + static_cast<long>(size % 100);
  response.headers.emplace_back("content-type", "application/json");
  response.body.assign(reinterpret_cast<const char*>(data), size);
  // The reason goes into a terminal line: no control byte may pass, and its length is bounded.
  const std::string reason = builder::registry::RegistryReason(response);
  for (unsigned char c : reason)
    if (c < 0x20 || c == 0x7f) std::abort();
  if (reason.size() > 1024) std::abort();
  return 0;
}
