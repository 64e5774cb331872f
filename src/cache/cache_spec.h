// Parsing --cache-to / --cache-from values as BuildKit spells them
// ("type=local,dest=DIR,mode=max", "type=registry,ref=REG/REPO:TAG", or a plain REF).
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace builder::cache {

struct CacheSpec {
  enum class Type { kRegistry, kLocal, kInline };
  Type type = Type::kRegistry;
  std::string ref;  ///< kRegistry: the reference the cache manifest is tagged as
  std::string dir;  ///< kLocal: dest= (export) or src= (import)
  bool max = false;  ///< mode=max: every stage's steps, not only the final image's
  bool ignore_error = false;  ///< ignore-error=true: a failed export only warns
  bool plain_ref = false;     ///< given as a bare REF: import also reads the image's inline cache
};

/// A --cache-to value. type=registry needs ref=, type=local dest=; mode is min (default) or
/// max; BuildKit's image-manifest, oci-mediatypes and compression are accepted and ignored
/// (the export is always an OCI image manifest). Errors: kInvalidArgument naming the problem.
[[nodiscard]] Result<CacheSpec> ParseCacheTo(std::string_view value);

/// A --cache-from value: type=registry,ref=..., type=local,src=..., or a plain REF.
/// Errors: kInvalidArgument (type=inline is export-only: import it by the image's REF).
[[nodiscard]] Result<CacheSpec> ParseCacheFrom(std::string_view value);

}  // namespace builder::cache
