// Reference: an image name as users type it ("app:1.0"), normalized as docker does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "oci/digest.h"

namespace builder::oci {

/// A normalized image reference: domain/path[:tag][@digest]. Familiar names gain the default
/// domain and, for single-component Docker Hub names, the "library/" namespace:
/// "app:1.0" -> "docker.io/library/app:1.0", "user/app" -> "docker.io/user/app".
class Reference {
 public:
  /// Parses and normalizes as distribution/reference ParseNormalizedNamed: the first component
  /// is a registry when it has a '.' or ':', is "localhost", or has upper-case letters;
  /// "index.docker.io" becomes "docker.io". A tag and a digest may both be present. No tag is
  /// added (see WithDefaultTag). Errors: kInvalidArgument for an empty reference, a 64-hex
  /// identifier, upper-case repository names, malformed domain, path component, tag
  /// (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`) or digest, or a name over 255 characters.
  [[nodiscard]] static Result<Reference> Parse(std::string_view text);
  /// Parse() then the docker CLI's defaults: "latest" when there is neither tag nor digest,
  /// and the tag dropped when both are given (the digest wins), as ParseDockerRef.
  [[nodiscard]] static Result<Reference> ParseDockerRef(std::string_view text);

  /// "docker.io", "localhost:5000", "[::1]:5000".
  const std::string& domain() const { return domain_; }
  /// The repository path inside the registry: "library/app".
  const std::string& path() const { return path_; }
  /// Empty when the reference has no tag.
  const std::string& tag() const { return tag_; }
  const std::optional<Digest>& digest() const { return digest_; }

  /// domain/path: "docker.io/library/app".
  std::string Name() const;
  /// The full normalized form: "docker.io/library/app:1.0@sha256:...".
  std::string String() const;
  /// The name as docker prints it: "app", "user/app", "localhost:5000/app".
  std::string FamiliarName() const;
  /// FamiliarName() plus ":tag" and "@digest" when present: "app:1.0".
  std::string FamiliarString() const;

  /// This reference with tag "latest" if it has neither tag nor digest.
  Reference WithDefaultTag() const;
  /// This reference with the tag replaced; kInvalidArgument for a malformed tag.
  [[nodiscard]] Result<Reference> WithTag(std::string_view tag) const;
  Reference WithDigest(const Digest& digest) const;
  Reference WithoutTag() const;

  bool operator==(const Reference&) const = default;

 private:
  std::string domain_;
  std::string path_;
  std::string tag_;
  std::optional<Digest> digest_;
};

/// True for a valid tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
bool IsValidTag(std::string_view tag);

}  // namespace builder::oci
