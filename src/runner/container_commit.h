// CommitContainer: `builder commit`, a container's changes stored as a new image (its image's
// layers plus the upper dir as one more layer).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/error.h"
#include "oci/compression.h"
#include "oci/image_config.h"
#include "oci/image_store.h"
#include "oci/reference.h"
#include "runner/container_spec.h"
#include "runner/container_store.h"

namespace builder::runner {

struct CommitOptions {
  std::string comment;  ///< -m: the history entry's comment
  std::string author;   ///< -a: the config's and the history entry's author
  /// Edits the new image's container config after the container's own settings were applied
  /// (commit -c CHANGE); may be empty.
  std::function<Result<void>(oci::ContainerConfig&)> edit_config;
  /// Tagged once written; untagged (dangling) when absent.
  std::optional<oci::Reference> tag;
  oci::CompressOptions compression;
};

struct CommitResult {
  oci::Descriptor manifest;
  oci::Digest id;  ///< the config digest, which `docker commit` prints
  bool empty_layer = false;  ///< the container changed nothing: no layer was added
};

/// The config of a commit, as docker derives it: the image's config with the container's
/// effective Cmd, Entrypoint, Env, WorkingDir and User, its labels over the image's, its
/// stop signal when set, and the container ports of its -p/-P mappings added to ExposedPorts.
oci::ContainerConfig CommitConfig(const oci::ContainerConfig& image, const ContainerSpec& container);

/// Writes the container's upper dir as a layer (overlay whiteouts as ".wh.<name>", opaque
/// directories as ".wh..wh..opq"; on a rootless store the host ids are recorded as the
/// container's) on top of its image's layers, with CommitConfig (then options.edit_config)
/// and one history entry {created, created_by: the container's Cmd joined by spaces, author,
/// comment}. A container that changed nothing gets an empty_layer entry and no new layer, as
/// docker. The container may be running: its upper dir is read as it is (a file that changes
/// size while it is read fails the commit with kCorrupt). Errors: kNotFound when the
/// container's image is no longer in the store.
[[nodiscard]] Result<CommitResult> CommitContainer(const oci::ImageStore& images,
                                                   const ContainerStore& containers,
                                                   const std::string& id,
                                                   const CommitOptions& options);

}  // namespace builder::runner
