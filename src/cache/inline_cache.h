// Inline build cache (--cache-to type=inline): the cache entries of the final image's steps
// carried in the image's own config, so pulling the image brings its cache along.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "cache/cache_config.h"
#include "oci/descriptor.h"
#include "oci/digest.h"

namespace builder::cache {

/// The top-level image config field holding the inline cache (BuildKit's counterpart is
/// "moby.buildkit.cache.v0"). Its value (version 1):
///   {"version":1, "entries":[{"key":"<hex>", "entry":<CacheEntry JSON without "config">}]}
/// An entry's layer must be one of the image's layers: the image is the cache's blob store. The
/// intermediate image configs are not carried; imported entries name the image's own config
/// instead (a hit rebuilds config and history from the entries, never from that blob).
inline constexpr std::string_view kInlineCacheField = "builder.cache.v1";

/// config_json with kInlineCacheField set to entries (each entry's layer must be in layers;
/// others are left out). Errors: kParse when config_json is not a JSON object.
[[nodiscard]] Result<std::string> AddInlineCache(std::string_view config_json,
                                                 const std::vector<KeyedEntry>& entries,
                                                 const std::vector<oci::Descriptor>& layers);

/// The inline cache entries of an image (empty when its config has none), each given
/// config_digest as its config. Entries naming a layer not in layers are dropped. Errors:
/// kParse / kCorrupt for a malformed config or field.
[[nodiscard]] Result<std::vector<KeyedEntry>> ReadInlineCache(std::string_view config_json,
                                                              const oci::Digest& config_digest,
                                                              const std::vector<oci::Descriptor>& layers);

}  // namespace builder::cache
