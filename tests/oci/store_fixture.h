// Test helper: small images written into an ImageStore through its public API.
#pragma once

#include <dirent.h>
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "oci/image_store.h"
#include "oci/layer_stream.h"
#include "oci/layer_writer.h"
#include "oci/media_types.h"

namespace builder::oci::testing {

/// Entries in a directory (0 when it cannot be read), staging leases (tmp/lease.<id>, the
/// test process's own bookkeeping) left out.
inline std::size_t CountEntries(const std::string& dir) {
  std::size_t n = 0;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != ".." && !name.starts_with("lease.")) ++n;
  }
  ::closedir(d);
  return n;
}

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

/// A real layer: the tree under dir as a tar blob in the store, and its diff_id.
struct StoredLayer {
  Descriptor descriptor;
  Digest diff_id;
};
inline StoredLayer StoreLayer(const ImageStore& store, const std::string& dir,
                              Compression compression = Compression::kGzip) {
  auto staged = store.blobs().Stage();
  REQUIRE(staged);
  auto writer = LayerBlobWriter::Create(staged->fd(), {compression});
  REQUIRE(writer);
  REQUIRE(WriteLayer(dir, {}, **writer));
  auto digests = (*writer)->Finish();
  REQUIRE(digests);
  StoredLayer layer;
  layer.descriptor.media_type = std::string(LayerMediaType(ImageFormat::kOci, compression));
  layer.descriptor.digest = digests->digest;
  layer.descriptor.size = static_cast<std::int64_t>(digests->size);
  layer.diff_id = digests->diff_id;
  REQUIRE(store.blobs().Commit(std::move(*staged), layer.descriptor.digest));
  return layer;
}

/// An image made of real layers.
inline Descriptor MakeImageOf(const ImageStore& store, const std::vector<StoredLayer>& layers) {
  ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  std::vector<Descriptor> descriptors;
  for (const StoredLayer& layer : layers) {
    descriptors.push_back(layer.descriptor);
    config.rootfs.diff_ids.push_back(layer.diff_id);
  }
  auto manifest = store.WriteImage(config, descriptors);
  REQUIRE(manifest);
  return *manifest;
}

inline Reference Ref(const std::string& text) {
  auto ref = Reference::ParseDockerRef(text);
  REQUIRE(ref);
  return *ref;
}

}  // namespace builder::oci::testing
