// Wiring of the linter module to the build's inputs.
#include "build_checks.h"

#include <algorithm>

#include "linter/dockerfile_checks.h"
#include "filespec/ignore_file.h"
#include "filespec/pattern_matcher.h"

namespace builder::cli {
namespace {

bool IsExclusion(const std::string& pattern) {
  std::size_t first = pattern.find_first_not_of(" \t");
  return first != std::string::npos && pattern[first] == '!';
}

}  // namespace

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
  // As BuildKit, an ignore file with exclusions ('!') is not judged: whether a file under an
  // excluded directory is brought back cannot be told statically.
  std::optional<filespec::PatternMatcher> ignore;
  if (!checks.context.empty()) {
    auto file = BUILDER_TRY(filespec::LocateIgnoreFile(checks.context, checks.dockerfile_for_ignore));
    if (file) {
      auto patterns = BUILDER_TRY(filespec::ReadIgnoreFile(*file));
      bool exclusions = std::any_of(patterns.begin(), patterns.end(), IsExclusion);
      if (!exclusions) ignore = BUILDER_TRY(filespec::PatternMatcher::Create(patterns));
    }
  }
  if (ignore) {
    input.ignored = [&ignore](const std::string& path) {
      auto m = ignore->MatchesOrParentMatches(path);
      return m && *m;
    };
  }
  auto checked = linter::CheckDockerfile(input, lint);
  return CheckOutcome{std::move(lint), checked ? std::nullopt : std::optional<Error>(std::move(checked).error())};
}

}  // namespace builder::cli
