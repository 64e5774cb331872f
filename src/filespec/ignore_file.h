// Reading a .dockerignore file and choosing which one applies to a build.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::filespec {

/// Parses .dockerignore text as BuildKit (moby/patternmatcher/ignorefile) does: a UTF-8 BOM on
/// the first line is dropped; a line whose first byte is '#' is a comment (so "  #x" is a
/// pattern); lines are trimmed and empty ones skipped; a leading '!' marks an exclusion and is
/// followed by more trimming; the rest is cleaned like Go's filepath.Clean with one leading '/'
/// removed ("! /a/../b" -> "!b"). A bare "!" is kept; PatternMatcher::Create rejects it.
/// Fails only on a line of 64 KiB or more, which Go's line scanner refuses.
[[nodiscard]] Result<std::vector<std::string>> ReadIgnorePatterns(std::string_view content);

/// Reads and parses the ignore file at path.
[[nodiscard]] Result<std::vector<std::string>> ReadIgnoreFile(const std::string& path);

/// Picks the ignore file for a build: "<Dockerfile>.dockerignore" beside the Dockerfile (e.g.
/// "build/app.Dockerfile.dockerignore") wins over "<context>/.dockerignore". Returns the chosen
/// path, or nullopt when neither exists. dockerfile_path may be empty (or "-" for stdin), in
/// which case only the context is looked at. Fails when a candidate exists but is not a regular
/// file, or cannot be examined.
[[nodiscard]] Result<std::optional<std::string>> LocateIgnoreFile(const std::string& context_dir,
                                                                  const std::string& dockerfile_path);

}  // namespace builder::filespec
