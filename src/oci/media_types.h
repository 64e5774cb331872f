// Media types of OCI and Docker schema-2 content, and the questions callers ask about them.
#pragma once

#include <string_view>

namespace builder::oci {

// OCI image spec.
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciDescriptor = "application/vnd.oci.descriptor.v1+json";
inline constexpr std::string_view kOciLayoutHeader = "application/vnd.oci.layout.header.v1+json";
inline constexpr std::string_view kOciEmpty = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerTarZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
// Deprecated by the spec but still found in the wild: layers that must not be pushed.
inline constexpr std::string_view kOciNondistributableLayerTar =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view kOciNondistributableLayerTarGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view kOciNondistributableLayerTarZstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

// Docker image manifest v2, schema 2.
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerLayerTarGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerForeignLayerTarGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

/// Which media types a manifest or index is written with.
enum class ImageFormat { kOci, kDocker };

/// How a layer blob is compressed.
enum class Compression { kNone, kGzip, kZstd };

/// An image manifest, OCI or Docker schema 2.
bool IsManifest(std::string_view media_type);
/// An image index or a Docker manifest list.
bool IsIndex(std::string_view media_type);
/// An image config, OCI or Docker.
bool IsConfig(std::string_view media_type);
/// A layer tar (any compression, distributable or not, OCI or Docker).
bool IsLayer(std::string_view media_type);
/// Layers that registries must not receive (OCI non-distributable, Docker foreign).
bool IsForeignLayer(std::string_view media_type);
/// The compression of a layer media type; kNone for non-layers too (check IsLayer first).
Compression LayerCompressionOf(std::string_view media_type);
/// The media type of a distributable layer with that compression in that format. Docker has no
/// zstd layer type, so zstd layers are OCI-typed in both formats (as BuildKit does).
std::string_view LayerMediaType(ImageFormat format, Compression compression);
std::string_view ManifestMediaType(ImageFormat format);
std::string_view IndexMediaType(ImageFormat format);
std::string_view ConfigMediaType(ImageFormat format);
/// "gzip", "zstd" or "uncompressed".
std::string_view CompressionName(Compression compression);

}  // namespace builder::oci
