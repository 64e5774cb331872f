// Named build contexts: name matching as BuildKit, and how PlanBuild lets them replace stages,
// FROM images and --from sources.
#include "planner/named_context.h"

#include <doctest/doctest.h>

#include <set>

#include "parser/ast.h"
#include "parser/instructions.h"
#include "planner/planner.h"

namespace builder::planner {
namespace {

parser::Dockerfile ParseFile(const std::string& text) {
  auto ast = parser::ParseDockerfile(text, "Dockerfile");
  REQUIRE(ast);
  auto typed = parser::ParseInstructions(*ast);
  REQUIRE(typed);
  return *typed;
}

TEST_CASE("FindNamedContext: familiar names without :latest") {
  NamedContexts contexts;
  contexts["alpine"].image = "busybox";
  contexts["base"].dir = "/d";
  CHECK(FindNamedContext(contexts, "alpine") == &contexts["alpine"]);
  CHECK(FindNamedContext(contexts, "docker.io/library/alpine:latest") == &contexts["alpine"]);
  CHECK(FindNamedContext(contexts, "alpine:latest") == &contexts["alpine"]);
  CHECK(FindNamedContext(contexts, "alpine:3.19") == nullptr);
  CHECK(FindNamedContext(contexts, "base") == &contexts["base"]);
  CHECK(FindNamedContext(contexts, "other") == nullptr);
  CHECK(FindNamedContext({}, "alpine") == nullptr);
}

TEST_CASE("PlanBuild: named contexts replace stages, images and --from sources") {
  parser::Dockerfile file = ParseFile(
      "FROM busybox AS base\nRUN echo stage\n"
      "FROM src AS fromdir\n"
      "FROM alpine\nCOPY --from=base /a /a\nCOPY --from=src /b /b\nCOPY --from=fromdir /c /c\n"
      "RUN --mount=from=src,target=/m true\n");
  PlanOptions options;
  options.named_contexts["base"].image = "other:1";
  options.named_contexts["alpine"].image = "busybox";
  options.named_contexts["src"] = {"", "/ctx/src", "d1g"};
  std::set<std::string> resolved;
  auto plan = PlanBuild(file, options, [&](const std::string& name) -> Result<std::optional<oci::ImageConfig>> {
    resolved.insert(name);
    return std::optional<oci::ImageConfig>(oci::ImageConfig{});
  });
  REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().ToString()));
  // The replaced stage is never planned: only the dir stage and the target.
  REQUIRE(plan->stages.size() == 2);
  CHECK(resolved == std::set<std::string>{"busybox"});
  const Plan& fromdir = plan->stages[0];
  CHECK(fromdir.base == "scratch");
  REQUIRE(fromdir.steps.size() == 1);
  const auto& load = std::get<CopyStep>(fromdir.steps[0].action);
  CHECK(load.from_dir == "/ctx/src");
  CHECK(load.from_dir_digest == "d1g");
  CHECK(load.dest == "/");
  const Plan& target = plan->stages[1];
  CHECK(target.base == "busybox");
  CHECK(std::get<CopyStep>(target.steps[0].action).from_image == "other:1");
  CHECK(std::get<CopyStep>(target.steps[1].action).from_dir == "/ctx/src");
  CHECK(std::get<CopyStep>(target.steps[2].action).from_stage == 0);
  const auto& run = std::get<RunStep>(target.steps[3].action);
  REQUIRE(run.mounts.size() == 1);
  CHECK(run.mounts[0].from_dir == "/ctx/src");
  CHECK(run.mounts[0].from_dir_digest == "d1g");
}

}  // namespace
}  // namespace builder::planner
