// libFuzzer target: the runner's -p, -v, --mount and --tmpfs flag parsers. Input: the first byte
// picks the parser, the rest is the flag's value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runner/mount_options.h"
#include "runner/network/port_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto port = builder::runner::network::ParsePortMapping(value);
      if (port) (void)port->ToString();
      else (void)port.error().ToString();
      break;
    }
    case 1: (void)builder::runner::ParseVolumeFlag(value); break;
    case 2: (void)builder::runner::ParseMountFlag(value); break;
    default: (void)builder::runner::ParseTmpfsFlag(value); break;
  }
  return 0;
}
