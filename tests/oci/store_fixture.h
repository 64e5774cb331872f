// Test helper: small images written into an ImageStore through its public API.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "oci/image_store.h"
#include "oci/media_types.h"

namespace builder::oci::testing {

/// Writes an image whose layers are the given (not necessarily tar) byte strings, uncompressed,
/// and whose config differs by `created`; returns the manifest descriptor.
inline Descriptor MakeImage(const ImageStore& store, const std::vector<std::string>& layers,
                            const std::string& created = "2020-01-01T00:00:00Z",
                            ImageFormat format = ImageFormat::kOci) {
  ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.created = created;
  std::vector<Descriptor> descriptors;
  for (const std::string& layer : layers) {
    auto d = store.blobs().Put(LayerMediaType(format, Compression::kNone), layer);
    REQUIRE(d);
    descriptors.push_back(*d);
    config.rootfs.diff_ids.push_back(d->digest);
    config.history.push_back({created, "layer " + std::to_string(descriptors.size()), "", "", false});
  }
  auto manifest = store.WriteImage(config, descriptors, format);
  REQUIRE(manifest);
  return *manifest;
}

inline Reference Ref(const std::string& text) {
  auto ref = Reference::ParseDockerRef(text);
  REQUIRE(ref);
  return *ref;
}

}  // namespace builder::oci::testing
