// DockerArchive: the metadata files of a `docker save` tarball (manifest.json, repositories).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::oci {

/// One image of a docker-archive manifest.json. Paths are relative to the archive root:
/// "blobs/sha256/<hex>" (Docker 25+) or "<id>.json" and "<id>/layer.tar" (older Docker).
struct DockerArchiveImage {
  std::string config;
  /// Familiar names as docker writes them ("app:1.0"); empty for an untagged image.
  std::vector<std::string> repo_tags;
  /// Layer tar paths, bottom first, paired with the config's rootfs.diff_ids.
  std::vector<std::string> layers;

  bool operator==(const DockerArchiveImage&) const = default;
};

/// Parses manifest.json (a JSON array of {Config, RepoTags, Layers}). Unknown keys (Parent,
/// LayerSources) are ignored and RepoTags may be null. Errors: kParse for malformed JSON,
/// kCorrupt naming the entry and field ("manifest.json[0].Config: ...") otherwise.
[[nodiscard]] Result<std::vector<DockerArchiveImage>> ParseDockerArchiveManifest(
    std::string_view json);
/// manifest.json as Docker writes it: [{"Config":..,"RepoTags":..,"Layers":[..]}], RepoTags
/// null when there are none.
std::string SerializeDockerArchiveManifest(const std::vector<DockerArchiveImage>& images);

/// The legacy `repositories` file: {"<familiar name>": {"<tag>": "<top layer id>"}}.
using DockerRepositories = std::map<std::string, std::map<std::string, std::string>>;
std::string SerializeDockerRepositories(const DockerRepositories& repositories);

}  // namespace builder::oci
