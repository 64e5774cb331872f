// `builder build --check` and the warnings a build prints at its end: BuildKit's build checks
// run over the Dockerfile with the build's arguments, images and .dockerignore.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "base/error.h"
#include "executor/image_source.h"
#include "linter/linter.h"
#include "parser/instructions.h"

namespace builder::cli {

struct BuildChecks {
  const parser::Dockerfile* dockerfile = nullptr;
  std::map<std::string, std::string> build_args;
  executor::ImageSource* images = nullptr;           ///< FROM images' Env and Shell; null: none
  /// For CopyIgnoredFile: the context dir and the Dockerfile path whose ignore file applies
  /// (filespec::LocateIgnoreFile); an empty context: nothing is ignored.
  std::string context;
  std::string dockerfile_for_ignore;
  std::optional<std::set<std::size_t>> stages;       ///< the stages the build reaches; nullopt: all
};

/// What the checks found, and the error that stopped them early (a blank FROM, an image that
/// cannot be resolved): BuildKit reports the warnings found before such an error too.
struct CheckOutcome {
  linter::Linter lint;
  std::optional<Error> stopped;
};

/// Runs the checks with the configuration of the `# check=` directive, or of the
/// BUILDKIT_DOCKERFILE_CHECK build arg when given (it wins, as in BuildKit). Fails only on a bad
/// configuration.
[[nodiscard]] Result<CheckOutcome> RunBuildChecks(const BuildChecks& checks);

}  // namespace builder::cli
