// Cache keys of planned steps: key = H(parent key, canonical step, the inputs it reads).
#pragma once

#include <string>

#include "base/error.h"
#include "cache/cache_index.h"
#include "cache/cache_key.h"
#include "cache/file_hash_cache.h"
#include "parser/pattern_matcher.h"
#include "planner/step.h"

namespace builder::planner {

/// The key every stage's first step builds on: the base image's manifest digest ("scratch"
/// for none) and the platform.
cache::CacheKey BaseKey(const std::string& base_digest, const std::string& platform);

/// What `step` reads besides its canonical text: each build arg it sees ("build arg NAME" ->
/// sha256 of the value), and for COPY/ADD each context source ("COPY src/" -> tree digest, with
/// the per-file summary so a miss can name the changed file; wildcard sources are hashed as
/// the directory holding the wildcard). Context paths are hashed after `ignore`
/// (.dockerignore): path, mode, uid/gid and content, never mtime. An ADD of a URL without
/// --checksum cannot be known in advance: it gets a unique input and always misses.
/// `on_read` (may be null) is told each buffer of context content read (hashing progress).
/// `need_entries` false lets unchanged trees come back `elided` (digest only: enough for the
/// key and a hit; hash again with true before explaining or recording a miss).
/// Errors: a missing source (kNotFound `"/x": not found`), I/O errors.
[[nodiscard]] Result<cache::StepInputs> HashStepInputs(const Step& step, int context_fd,
                                                       const parser::PatternMatcher* ignore,
                                                       cache::FileHashCache& hashes,
                                                       const cache::ReadProgressFn& on_read = {},
                                                       bool need_entries = true);

/// H(parent, canonical step, inputs).
cache::CacheKey StepKey(const cache::CacheKey& parent, const Step& step,
                        const cache::StepInputs& inputs);

}  // namespace builder::planner
