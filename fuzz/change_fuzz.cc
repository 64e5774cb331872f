// libFuzzer target: `import`/`commit` -c CHANGE values applied to a container config. Input:
// the values separated by NUL bytes (a value may span lines, as on a command line); the edited
// config must serialize and parse back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "oci/image_config.h"
#include "planner/image_changes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> changes;
  while (!text.empty()) {
    const auto nl = text.find('\0');
    changes.emplace_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  builder::oci::ImageConfig image;
  image.architecture = "amd64";
  image.os = "linux";
  image.config.env = {"PATH=/usr/bin:/bin", "HOME=/root"};
  auto applied = builder::planner::ApplyChanges(changes, image.config);
  if (!applied) {
    (void)applied.error().ToString();
    return 0;
  }
  const std::string json = image.Serialize();
  auto back = builder::oci::ImageConfig::Parse(json);
  if (!back) {
    std::fprintf(stderr, "change_fuzz: config does not parse back: %s\n%s\n",
                 back.error().ToString().c_str(), json.c_str());
    std::abort();
  }
  return 0;
}
