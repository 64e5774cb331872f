// Cache keys of planned steps: key = H(parent key, canonical step, the inputs it reads).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "cache/cache_index.h"
#include "cache/cache_key.h"
#include "cache/file_hash_cache.h"
#include "filespec/pattern_matcher.h"
#include "planner/step.h"

namespace builder::planner {

/// The key every stage's first step builds on: the base image's manifest digest ("scratch"
/// for none) and the platform.
cache::CacheKey BaseKey(const std::string& base_digest, const std::string& platform);

/// What `step` reads besides its canonical text: each build arg it sees ("build arg NAME" ->
/// sha256 of the value), and for COPY/ADD each context source ("COPY src/" -> tree digest, with
/// the per-file summary so a miss can name the changed file). A wildcard source is keyed on
/// the set of entries it matched and each one's tree, never on unmatched siblings; a symlinked
/// source on what it resolves to inside the context; --exclude'd paths do not count. Context
/// paths are hashed after `ignore` (.dockerignore): path, mode, uid/gid and content, never
/// mtime. An ADD of a URL without
/// --checksum cannot be known in advance: it gets a unique input (always a miss) until the
/// caller downloads it and calls SetFetchedUrlInput.
/// `on_read` (may be null) is told each buffer of context content read (hashing progress).
/// `need_entries` false lets unchanged trees come back `elided` (digest only: enough for the
/// key and a hit; hash again with true before explaining or recording a miss).
/// Errors: a missing source (kNotFound `"/x": not found`), I/O errors.
[[nodiscard]] Result<cache::StepInputs> HashStepInputs(const Step& step, int context_fd,
                                                       const filespec::PatternMatcher* ignore,
                                                       cache::FileHashCache& hashes,
                                                       const cache::ReadProgressFn& on_read = {},
                                                       bool need_entries = true);

/// Keys `ADD <url>` (no --checksum) on what its download gave, as BuildKit does: the content
/// digest ("sha256:<hex>") and the Last-Modified time (the file's mtime in the layer; nullopt
/// when the server sent none). The input carries a two-entry summary so a miss explains as
/// "ADD <url>: content changed".
void SetFetchedUrlInput(cache::StepInputs& inputs, std::string_view url, std::string_view digest,
                        std::optional<std::int64_t> last_modified);

/// The parent a COPY/ADD --link is keyed under instead of the layers beneath it: the same for
/// every base, so a linked layer is found again after the base changed.
cache::CacheKey LinkedParentKey();

/// H(parent, canonical step, inputs).
cache::CacheKey StepKey(const cache::CacheKey& parent, const Step& step,
                        const cache::StepInputs& inputs);

}  // namespace builder::planner
