// Tests for --build-arg and --label values as docker reads them.
#include "planner/build_flags.h"

#include <doctest/doctest.h>

namespace builder::planner {
namespace {

std::optional<std::string> FakeEnv(const std::string& name) {
  if (name == "FROM_ENV") return std::string("env value");
  if (name == "EMPTY") return std::string();
  return std::nullopt;
}

TEST_CASE("build args: NAME=VALUE, a bare NAME from the environment, unset names left out") {
  std::map<std::string, std::string> args;
  AddBuildArgFlag("A=1", args, FakeEnv);
  AddBuildArgFlag("B=x=y", args, FakeEnv);
  AddBuildArgFlag("C=", args, FakeEnv);
  AddBuildArgFlag("FROM_ENV", args, FakeEnv);
  AddBuildArgFlag("EMPTY", args, FakeEnv);
  AddBuildArgFlag("UNSET", args, FakeEnv);
  AddBuildArgFlag("A=2", args, FakeEnv);
  CHECK(args == std::map<std::string, std::string>{
                    {"A", "2"}, {"B", "x=y"}, {"C", ""}, {"EMPTY", ""}, {"FROM_ENV", "env value"}});
}

TEST_CASE("labels: KEY=VALUE, a bare KEY is empty, the value keeps its '='") {
  std::map<std::string, std::string> labels;
  AddLabelFlag("a=b=c", labels);
  AddLabelFlag("bare", labels);
  AddLabelFlag("=v", labels);
  CHECK(labels == std::map<std::string, std::string>{{"", "v"}, {"a", "b=c"}, {"bare", ""}});
}

}  // namespace
}  // namespace builder::planner
