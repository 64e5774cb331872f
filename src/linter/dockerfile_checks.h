// Runs BuildKit's build checks over a parsed Dockerfile, without building anything.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "linter/linter.h"
#include "parser/instructions.h"

namespace builder::linter {

/// What a check needs to know of a FROM image: its config's Env and Shell.
struct BaseImageInfo {
  std::vector<std::string> env;
  std::vector<std::string> shell;
};

struct CheckInput {
  const parser::Dockerfile* dockerfile = nullptr;  ///< required
  std::map<std::string, std::string> build_args;
  /// The config of a FROM image (expanded name, never "scratch" or a stage); nullopt or an
  /// unset function: treated as an image with no Env and no Shell. An error stops the check.
  std::function<Result<std::optional<BaseImageInfo>>(const std::string& image)> resolve_base;
  /// Whether a build-context path (as written in COPY/ADD) is excluded by .dockerignore, for
  /// CopyIgnoredFile; unset: nothing is.
  std::function<bool(const std::string& path)> ignored;
  /// The stages (file indexes) that are dispatched, whose instructions are checked with their
  /// variables, as BuildKit checks only the stages a build reaches; nullopt: every stage (what
  /// `--check` does). Rules on the Dockerfile's text (casing, stage names, MAINTAINER, FROM
  /// arguments) always cover every stage.
  std::optional<std::set<std::size_t>> stages;
};

/// Runs every rule of rules.h in BuildKit's order (parse-time rules, stage names, instruction
/// casing, FROM arguments, then each dispatched stage's instructions) into `linter`. Errors
/// only from resolve_base.
[[nodiscard]] Result<void> CheckDockerfile(const CheckInput& input, Linter& linter);

}  // namespace builder::linter
