// Planning one stage: build args, ARG/ENV scoping and late word expansion, one Step per
// instruction.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "base/error.h"
#include "oci/image_config.h"
#include "parser/instructions.h"
#include "parser/shell_lexer.h"
#include "planner/named_context.h"
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
  /// --build-context: names that FROM, COPY --from and RUN --mount from= resolve to before
  /// images, and that replace a stage of the same name (as BuildKit).
  NamedContexts named_contexts;
  /// --platform: the platform the target is built for (TARGETPLATFORM and friends, the
  /// platform of bases and of scratch); nullopt: the host's. BUILDPLATFORM is always the host.
  std::optional<oci::Platform> platform;
};

/// The stage to build and its FROM expanded with the meta ARGs (defaults overridden by build
/// args, plus BuildKit's automatic platform args). kInvalidArgument when --target names no
/// stage; kUnsupported when the stage builds on an earlier stage (multi-stage comes later).
struct BaseChoice {
  std::size_t stage_index = 0;
  std::string base;  ///< "scratch" or an image reference as written after expansion
};
/// With allow_stage_base the stage may build on an earlier stage (PlanBuild handles that).
[[nodiscard]] Result<BaseChoice> ChooseBase(const parser::Dockerfile& dockerfile,
                                            const PlanOptions& options,
                                            bool allow_stage_base = false);

/// Plans the chosen stage over its base image's config (nullptr for scratch). The base's
/// ONBUILD triggers run first, as BuildKit does; the result's OnBuild list starts empty.
/// Errors: expansion failures and invalid expanded values (kParse/kInvalidArgument), located at
/// the instruction; unsupported features (COPY --from, multi-stage) as kUnsupported.
[[nodiscard]] Result<Plan> PlanStage(const parser::Dockerfile& dockerfile, const BaseChoice& choice,
                                     const oci::ImageConfig* base_config,
                                     const PlanOptions& options);

/// How a stage sees the other stages of the build (multi-stage builds).
struct StageLinks {
  std::map<std::string, int> by_name;  ///< lower-cased earlier stage name -> plan index
  std::vector<int> by_index;           ///< earlier stage file index -> plan index (-1: not built)
  bool is_target = true;               ///< --label applies to the target only
  bool resolve_from = true;            ///< false: every COPY --from names an image
  std::set<std::string>* used_args = nullptr;  ///< receives the build args the stage used
};

/// PlanStage with the other stages in view: COPY --from=<stage name or index> resolves to a
/// plan index, anything else names an image. Unused-arg warnings are left to the caller.
[[nodiscard]] Result<Plan> PlanStage(const parser::Dockerfile& dockerfile, const BaseChoice& choice,
                                     const oci::ImageConfig* base_config,
                                     const PlanOptions& options, const StageLinks& links);

/// The config of a FROM image (nullopt for "scratch"); errors end the planning.
using BaseResolver =
    std::function<Result<std::optional<oci::ImageConfig>>(const std::string& image)>;

/// The config of a FROM image for a platform (a stage's FROM --platform, else the target's).
using PlatformBaseResolver = std::function<Result<std::optional<oci::ImageConfig>>(
    const std::string& image, const oci::Platform& platform)>;

/// Plans the target stage (options.target, else the last) and every stage it needs through
/// FROM <stage> and COPY --from, in dependency order; unreachable stages are not planned (their
/// base images are never resolved). Errors: those of PlanStage and of `resolve`, an unknown
/// --target (kInvalidArgument), a blank base name.
[[nodiscard]] Result<BuildPlan> PlanBuild(const parser::Dockerfile& dockerfile,
                                          const PlanOptions& options, const BaseResolver& resolve);
/// PlanBuild resolving each base for its stage's platform: FROM --platform (expanded with the
/// meta ARGs, e.g. $BUILDPLATFORM), else options.platform, else the host's. Each Plan carries
/// that platform. kInvalidArgument (located at the FROM) for a malformed --platform value.
[[nodiscard]] Result<BuildPlan> PlanBuild(const parser::Dockerfile& dockerfile,
                                          const PlanOptions& options,
                                          const PlatformBaseResolver& resolve);

/// What FROM lines see: the ARGs before the first FROM (build args overriding their defaults)
/// and BuildKit's automatic platform args. Marks the meta ARGs as used in *used (may be null).
parser::ShellEnv MetaArgEnv(const parser::Dockerfile& dockerfile, const PlanOptions& options,
                            std::set<std::string>* used = nullptr);

/// Build args every Dockerfile may use without declaring them (proxy settings); they reach RUN
/// but never the image or the cache key.
/// "os/arch[/variant]" of a normalized platform, as BuildKit's TARGETPLATFORM.
std::string PlatformArg(const oci::Platform& platform);

bool IsPredefinedArg(std::string_view name);

/// BuildKit's warning for --build-arg values no ARG consumed (predefined proxy args excepted), or
/// nothing when every one was used.
std::optional<std::string> UnusedBuildArgsWarning(const PlanOptions& options,
                                                  const std::set<std::string>& used);

}  // namespace builder::planner
