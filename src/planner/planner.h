// Planning one stage: build args, ARG/ENV scoping and late word expansion, one Step per
// instruction.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/error.h"
#include "oci/image_config.h"
#include "parser/instructions.h"
#include "planner/step.h"

namespace builder::planner {

struct PlanOptions {
  /// --build-arg values; a value of nullopt means "take it from the environment" and is
  /// resolved by the caller, so every entry here has a value.
  std::map<std::string, std::string> build_args;
  /// --target stage name; "" builds the last stage.
  std::string target;
  /// --label K=V: added to the final image's labels (last step's config).
  std::map<std::string, std::string> labels;
};

/// The stage to build and its FROM expanded with the meta ARGs (defaults overridden by build
/// args, plus BuildKit's automatic platform args). kInvalidArgument when --target names no
/// stage; kUnsupported when the stage builds on an earlier stage (multi-stage comes later).
struct BaseChoice {
  std::size_t stage_index = 0;
  std::string base;  ///< "scratch" or an image reference as written after expansion
};
[[nodiscard]] Result<BaseChoice> ChooseBase(const parser::Dockerfile& dockerfile,
                                            const PlanOptions& options);

/// Plans the chosen stage over its base image's config (nullptr for scratch). The base's
/// ONBUILD triggers run first, as BuildKit does; the result's OnBuild list starts empty.
/// Errors: expansion failures and invalid expanded values (kParse/kInvalidArgument), located at
/// the instruction; unsupported features (COPY --from, multi-stage) as kUnsupported.
[[nodiscard]] Result<Plan> PlanStage(const parser::Dockerfile& dockerfile, const BaseChoice& choice,
                                     const oci::ImageConfig* base_config,
                                     const PlanOptions& options);

/// Build args every Dockerfile may use without declaring them (proxy settings); they reach RUN
/// but never the image or the cache key.
bool IsPredefinedArg(std::string_view name);

}  // namespace builder::planner
