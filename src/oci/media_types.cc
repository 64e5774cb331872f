// Classification of OCI and Docker media types.
#include "oci/media_types.h"

namespace builder::oci {

bool IsManifest(std::string_view media_type) {
  return media_type == kOciManifest || media_type == kDockerManifest;
}

bool IsIndex(std::string_view media_type) {
  return media_type == kOciIndex || media_type == kDockerManifestList;
}

bool IsConfig(std::string_view media_type) {
  return media_type == kOciConfig || media_type == kDockerConfig;
}

bool IsForeignLayer(std::string_view media_type) {
  return media_type == kOciNondistributableLayerTar ||
         media_type == kOciNondistributableLayerTarGzip ||
         media_type == kOciNondistributableLayerTarZstd || media_type == kDockerForeignLayerTarGzip;
}

bool IsLayer(std::string_view media_type) {
  return media_type == kOciLayerTar || media_type == kOciLayerTarGzip ||
         media_type == kOciLayerTarZstd || media_type == kDockerLayerTar ||
         media_type == kDockerLayerTarGzip || IsForeignLayer(media_type);
}

Compression LayerCompressionOf(std::string_view media_type) {
  if (media_type.ends_with("+gzip") || media_type.ends_with(".tar.gzip")) return Compression::kGzip;
  if (media_type.ends_with("+zstd")) return Compression::kZstd;
  return Compression::kNone;
}

std::string_view LayerMediaType(ImageFormat format, Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return format == ImageFormat::kDocker ? kDockerLayerTar : kOciLayerTar;
    case Compression::kGzip:
      return format == ImageFormat::kDocker ? kDockerLayerTarGzip : kOciLayerTarGzip;
    case Compression::kZstd:
      return kOciLayerTarZstd;
  }
  return kOciLayerTar;
}

std::string_view ManifestMediaType(ImageFormat format) {
  return format == ImageFormat::kDocker ? kDockerManifest : kOciManifest;
}

std::string_view IndexMediaType(ImageFormat format) {
  return format == ImageFormat::kDocker ? kDockerManifestList : kOciIndex;
}

std::string_view ConfigMediaType(ImageFormat format) {
  return format == ImageFormat::kDocker ? kDockerConfig : kOciConfig;
}

std::string_view CompressionName(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "uncompressed";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
  }
  return "uncompressed";
}

}  // namespace builder::oci
