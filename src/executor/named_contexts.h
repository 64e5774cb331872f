// --build-context NAME=DIR|docker-image://REF|oci-layout://PATH[:TAG|@DIGEST] made ready for the
// planner.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/image_store.h"
#include "planner/named_context.h"

namespace builder::executor {

/// Resolves each `--build-context` value (BuildKit's forms):
///  - `docker-image://REF`: the image REF (pulled, when needed, by the build's image source);
///  - `oci-layout://PATH[:TAG][@sha256:DIGEST]`: the image of the OCI layout at PATH whose
///    org.opencontainers.image.ref.name is TAG ("latest" by default; a layout of one image needs
///    none), or the manifest DIGEST, loaded into the store untagged and named by its id;
///  - anything else: a local directory, keyed by its content digest (file_hash_cache.h).
/// Errors (kInvalidArgument unless said): no '=' or an empty name, a name given twice, another
/// URL scheme (kUnsupported), a missing directory or layout (kNotFound), no image of that tag.
[[nodiscard]] Result<planner::NamedContexts> ResolveNamedContexts(const oci::ImageStore& store,
                                                                  const std::vector<std::string>& values);

}  // namespace builder::executor
