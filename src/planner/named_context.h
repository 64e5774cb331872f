// --build-context NAME=...: what a name in FROM, COPY --from or RUN --mount from= stands for.
#pragma once

#include <map>
#include <string>

namespace builder::planner {

/// One named build context, resolved by the caller: an image (docker-image://, or an
/// oci-layout:// image loaded into the store, named by its id) or a local directory.
struct NamedContext {
  std::string image;       ///< an image reference or id the image source resolves
  std::string dir;         ///< absolute path of a local directory
  std::string dir_digest;  ///< content digest of dir (cache/file_hash_cache.h HashTree)
};

/// Context name (as given) -> context.
using NamedContexts = std::map<std::string, NamedContext>;

/// The context `name` (an image reference as written in FROM/--from, or a stage name) stands
/// for, or nullptr. As BuildKit, names compare in their familiar form without ":latest", so
/// `FROM docker.io/library/alpine:latest` finds the context "alpine".
const NamedContext* FindNamedContext(const NamedContexts& contexts, const std::string& name);

}  // namespace builder::planner
