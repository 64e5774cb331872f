// Tests for media type classification and format-specific media types.
#include "oci/media_types.h"

#include <doctest/doctest.h>

namespace builder::oci {
namespace {

TEST_CASE("manifest, index and config types") {
  CHECK(IsManifest(kOciManifest));
  CHECK(IsManifest(kDockerManifest));
  CHECK_FALSE(IsManifest(kOciIndex));
  CHECK(IsIndex(kOciIndex));
  CHECK(IsIndex(kDockerManifestList));
  CHECK_FALSE(IsIndex(kDockerManifest));
  CHECK(IsConfig(kOciConfig));
  CHECK(IsConfig(kDockerConfig));
  CHECK_FALSE(IsConfig("application/vnd.example.config.v1+json"));
}

TEST_CASE("layer types and their compression") {
  struct Case {
    std::string_view type;
    Compression compression;
    bool foreign;
  };
  const Case cases[] = {
      {kOciLayerTar, Compression::kNone, false},
      {kOciLayerTarGzip, Compression::kGzip, false},
      {kOciLayerTarZstd, Compression::kZstd, false},
      {kDockerLayerTar, Compression::kNone, false},
      {kDockerLayerTarGzip, Compression::kGzip, false},
      {kDockerForeignLayerTarGzip, Compression::kGzip, true},
      {kOciNondistributableLayerTar, Compression::kNone, true},
      {kOciNondistributableLayerTarGzip, Compression::kGzip, true},
      {kOciNondistributableLayerTarZstd, Compression::kZstd, true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.type);
    CHECK(IsLayer(c.type));
    CHECK(LayerCompressionOf(c.type) == c.compression);
    CHECK(IsForeignLayer(c.type) == c.foreign);
  }
  CHECK_FALSE(IsLayer(kOciManifest));
  CHECK_FALSE(IsLayer(kOciConfig));
  CHECK_FALSE(IsLayer("application/vnd.example+type"));
}

TEST_CASE("format-specific media types") {
  CHECK(LayerMediaType(ImageFormat::kOci, Compression::kGzip) == kOciLayerTarGzip);
  CHECK(LayerMediaType(ImageFormat::kDocker, Compression::kGzip) == kDockerLayerTarGzip);
  CHECK(LayerMediaType(ImageFormat::kDocker, Compression::kNone) == kDockerLayerTar);
  CHECK(LayerMediaType(ImageFormat::kOci, Compression::kNone) == kOciLayerTar);
  CHECK(LayerMediaType(ImageFormat::kDocker, Compression::kZstd) == kOciLayerTarZstd);
  CHECK(ManifestMediaType(ImageFormat::kDocker) == kDockerManifest);
  CHECK(IndexMediaType(ImageFormat::kOci) == kOciIndex);
  CHECK(IndexMediaType(ImageFormat::kDocker) == kDockerManifestList);
  CHECK(ConfigMediaType(ImageFormat::kDocker) == kDockerConfig);
  CHECK(CompressionName(Compression::kZstd) == "zstd");
  CHECK(CompressionName(Compression::kNone) == "uncompressed");
}

}  // namespace
}  // namespace builder::oci
