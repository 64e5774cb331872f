// Wiring of the linter module to the build's inputs.
#include "build_checks.h"

#include "linter/dockerfile_checks.h"

namespace builder::cli {

Result<CheckOutcome> RunBuildChecks(const BuildChecks& checks) {
  std::string directive = checks.dockerfile->directives.check.value_or("");
  if (auto it = checks.build_args.find("BUILDKIT_DOCKERFILE_CHECK"); it != checks.build_args.end())
    directive = it->second;
  linter::Linter lint(BUILDER_TRY(linter::ParseLintConfig(directive)));
  linter::CheckInput input;
  input.dockerfile = checks.dockerfile;
  input.build_args = checks.build_args;
  input.stages = checks.stages;
  if (checks.images) {
    executor::ImageSource* images = checks.images;
    input.resolve_base = [images](const std::string& name) -> Result<std::optional<linter::BaseImageInfo>> {
      auto image = BUILDER_TRY(images->Resolve(name, "base image"));
      if (!image) return std::optional<linter::BaseImageInfo>();
      return std::optional<linter::BaseImageInfo>(
          linter::BaseImageInfo{image->config.config.env, image->config.config.shell});
    };
  }
  if (checks.ignore) {
    const parser::PatternMatcher* ignore = checks.ignore;
    input.ignored = [ignore](const std::string& path) {
      auto m = ignore->MatchesOrParentMatches(path);
      return m && *m;
    };
  }
  auto checked = linter::CheckDockerfile(input, lint);
  return CheckOutcome{std::move(lint), checked ? std::nullopt : std::optional<Error>(std::move(checked).error())};
}

}  // namespace builder::cli
