// libFuzzer target: the image config, manifest and index JSON parsers (src/oci); whatever parses
// must serialize and parse back to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "oci/docker_archive.h"
#include "oci/image_config.h"
#include "oci/image_index.h"
#include "oci/manifest.h"

namespace {

template <class T>
void RoundTrip(std::string_view text, const char* what) {
  auto parsed = T::Parse(text);
  if (!parsed) {
    (void)parsed.error().ToString();
    return;
  }
  const std::string again = parsed->Serialize();
  auto reparsed = T::Parse(again);
  if (!reparsed) {
    std::fprintf(stderr, "%s: own output does not parse: %s\n%s\n", what,
                 reparsed.error().ToString().c_str(), again.c_str());
    std::abort();
  }
  if (reparsed->Serialize() != again) {
    std::fprintf(stderr, "%s: serialization is not stable\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  RoundTrip<builder::oci::ImageConfig>(text, "config");
  RoundTrip<builder::oci::Manifest>(text, "manifest");
  RoundTrip<builder::oci::ImageIndex>(text, "index");
  auto images = builder::oci::ParseDockerArchiveManifest(text);
  if (images) (void)builder::oci::SerializeDockerArchiveManifest(*images);
  return 0;
}
