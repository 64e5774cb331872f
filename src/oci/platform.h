// Platform: the os/architecture/variant an image runs on, parsed and normalized as containerd does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::oci {

/// The OCI platform object. Field names follow the JSON keys.
struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string os_version;                ///< "os.version"
  std::vector<std::string> os_features;  ///< "os.features"

  /// Parses a specifier `<os>[(<os.version>[+<feature>]*)][/<arch>[/<variant>]]` or a bare
  /// `<arch>`, as containerd's platforms.Parse: "linux/arm64/v8" -> linux, arm64, v8;
  /// "linux/aarch64" -> linux, arm64; "linux/armhf" -> linux, arm, v7; "linux/arm" -> linux,
  /// arm (v7 is implied and left out); a lone known OS gets the host architecture, a lone known
  /// architecture the host OS. Errors: kInvalidArgument for empty or malformed components,
  /// wildcards, more than three components, or a lone word that is neither a known OS nor arch.
  [[nodiscard]] static Result<Platform> Parse(std::string_view specifier);
  /// A platform JSON object ({"architecture":..,"os":..}); kParse/kCorrupt naming the field.
  [[nodiscard]] static Result<Platform> ParseJson(std::string_view json);
  /// The platform of this process (compile-time architecture, running OS), normalized.
  static Platform Host();

  /// The canonical form used for comparison: lower case, macos->darwin, i386->386,
  /// x86_64/x86-64->amd64 (variant v1 dropped), aarch64->arm64 (variant 8/v8 dropped),
  /// armhf->arm/v7, armel->arm/v6, arm without variant->arm/v7, arm 5/6/7/8->v5..v8;
  /// os.features sorted and deduplicated.
  Platform Normalized() const;
  /// True when the normalized platforms have the same os, architecture and variant, and the
  /// candidate's os.features are a subset of ours (containerd's matcher). os.version is ignored.
  bool Matches(const Platform& candidate) const;
  /// "os/arch[/variant]", as docker prints it; "unknown" when os is empty.
  std::string ToString() const;
  /// Canonical JSON, keys in OCI order: architecture, os, os.version, os.features, variant.
  std::string Serialize() const;

  bool operator==(const Platform&) const = default;
};

}  // namespace builder::oci
