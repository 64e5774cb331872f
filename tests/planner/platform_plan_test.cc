// Tests for --platform in planning: BuildKit's automatic TARGET*/BUILD* args, FROM --platform
// (with $BUILDPLATFORM), a stage inheriting its base stage's platform, the resolver's platform.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "parser/ast.h"
#include "parser/instructions.h"
#include "planner/planner.h"

namespace builder::planner {
namespace {

parser::Dockerfile Parse(const std::string& text) {
  auto ast = parser::ParseDockerfile(text, "Dockerfile");
  REQUIRE(ast);
  auto typed = parser::ParseInstructions(*ast);
  REQUIRE_MESSAGE(typed, (typed ? "" : typed.error().ToString()));
  return std::move(*typed);
}

std::string EnvValue(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env)
    if (e.starts_with(key + "=")) return e.substr(key.size() + 1);
  return "<unset>";
}

TEST_CASE("--platform sets TARGET* args; BUILD* stay the host's") {
  parser::Dockerfile file = Parse(
      "FROM scratch\nARG TARGETPLATFORM\nARG TARGETOS\nARG TARGETARCH\nARG TARGETVARIANT\n"
      "ARG BUILDPLATFORM\nARG BUILDARCH\nRUN x\n");
  PlanOptions options;
  options.platform = *oci::Platform::Parse("linux/arm/v7");
  std::vector<std::string> asked;
  auto plan = PlanBuild(file, options, [&](const std::string& name, const oci::Platform& p)
                                           -> Result<std::optional<oci::ImageConfig>> {
    asked.push_back(name + " " + p.ToString());
    return std::optional<oci::ImageConfig>();
  });
  REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().ToString()));
  const auto& env = std::get<RunStep>(plan->stages[0].steps.back().action).env;
  CHECK(EnvValue(env, "TARGETPLATFORM") == "linux/arm/v7");
  CHECK(EnvValue(env, "TARGETOS") == "linux");
  CHECK(EnvValue(env, "TARGETARCH") == "arm");
  CHECK(EnvValue(env, "TARGETVARIANT") == "v7");
  oci::Platform host = oci::Platform::Host().Normalized();
  CHECK(EnvValue(env, "BUILDPLATFORM") == PlatformArg(host));
  CHECK(EnvValue(env, "BUILDARCH") == host.architecture);
  CHECK(plan->stages[0].platform.ToString() == "linux/arm/v7");
  CHECK(asked == std::vector<std::string>{"scratch linux/arm/v7"});
}

TEST_CASE("FROM --platform=$BUILDPLATFORM; a stage on a stage inherits its platform") {
  parser::Dockerfile file = Parse(
      "FROM --platform=$BUILDPLATFORM busybox AS tools\nFROM tools AS more\n"
      "FROM alpine\nCOPY --from=more /a /a\n");
  PlanOptions options;
  options.platform = *oci::Platform::Parse("linux/s390x");
  std::map<std::string, std::string> asked;
  auto plan = PlanBuild(file, options, [&](const std::string& name, const oci::Platform& p)
                                           -> Result<std::optional<oci::ImageConfig>> {
    asked[name] = p.ToString();
    return std::optional<oci::ImageConfig>(oci::ImageConfig{});
  });
  REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().ToString()));
  REQUIRE(plan->stages.size() == 3);
  const std::string host = oci::Platform::Host().Normalized().ToString();
  CHECK(plan->stages[0].platform.ToString() == host);
  CHECK(plan->stages[1].platform.ToString() == host);
  CHECK(plan->stages[2].platform.ToString() == "linux/s390x");
  CHECK(asked["busybox"] == host);
  CHECK(asked["alpine"] == "linux/s390x");
}

TEST_CASE("FROM --platform with a malformed value fails at the FROM") {
  parser::Dockerfile file = Parse("FROM --platform=linux/a/b/c/d scratch\n");
  auto plan = PlanBuild(file, {}, [](const std::string&, const oci::Platform&)
                                      -> Result<std::optional<oci::ImageConfig>> {
    return std::optional<oci::ImageConfig>();
  });
  REQUIRE(!plan);
  CHECK(plan.error().ToString().find("Dockerfile:1") != std::string::npos);
  CHECK(plan.error().ToString().find("--platform") != std::string::npos);
}

}  // namespace
}  // namespace builder::planner
