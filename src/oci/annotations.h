// Annotation keys the OCI image spec predefines and builder reads or writes.
#pragma once

#include <string_view>

namespace builder::oci {

/// The tag of a manifest in an OCI layout's index.json ("1.0", or a full reference).
inline constexpr std::string_view kAnnotationRefName = "org.opencontainers.image.ref.name";
/// RFC 3339 creation time of the image.
inline constexpr std::string_view kAnnotationCreated = "org.opencontainers.image.created";
/// Reference and digest of the image this one was built FROM.
inline constexpr std::string_view kAnnotationBaseName = "org.opencontainers.image.base.name";
inline constexpr std::string_view kAnnotationBaseDigest = "org.opencontainers.image.base.digest";
inline constexpr std::string_view kAnnotationTitle = "org.opencontainers.image.title";
inline constexpr std::string_view kAnnotationSource = "org.opencontainers.image.source";
inline constexpr std::string_view kAnnotationRevision = "org.opencontainers.image.revision";
/// containerd's / docker's full image name on index.json entries ("docker.io/library/app:1.0").
inline constexpr std::string_view kAnnotationContainerdImageName = "io.containerd.image.name";

}  // namespace builder::oci
