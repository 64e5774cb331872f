// --build-context NAME=DIR|docker-image://REF|oci-layout://PATH[:TAG|@DIGEST] made ready for the
// planner.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "executor/context_copy.h"
#include "oci/image_store.h"
#include "planner/named_context.h"

namespace builder::executor {

/// Resolves each `--build-context` value (BuildKit's forms):
///  - `docker-image://REF`: the image REF (pulled, when needed, by the build's image source);
///  - `oci-layout://PATH[:TAG][@sha256:DIGEST]`: the image of the OCI layout at PATH whose
///    org.opencontainers.image.ref.name is TAG ("latest" by default; a layout of one image needs
///    none), or the manifest DIGEST, loaded into the store untagged and named by its id;
///  - anything else: a local directory, keyed by its content digest (file_hash_cache.h) without
///    what its own .dockerignore excludes (BuildKit applies it to named local contexts too).
/// Errors (kInvalidArgument unless said): no '=' or an empty name, a name given twice, another
/// URL scheme (kUnsupported), a missing directory or layout (kNotFound), no image of that tag.
[[nodiscard]] Result<planner::NamedContexts> ResolveNamedContexts(const oci::ImageStore& store,
                                                                  const std::vector<std::string>& values);

/// The named local context `dir` as a COPY source: with the patterns of its own .dockerignore.
[[nodiscard]] Result<BuildContext> NamedDirSource(const std::string& dir);

/// What a RUN --mount from= of the named local context `dir` shows: dir itself, or, when its
/// .dockerignore excludes something, a copy without it made at `scratch` (a fresh path).
[[nodiscard]] Result<std::string> FilteredNamedDir(const std::string& dir, const std::string& scratch);

}  // namespace builder::executor
