// libFuzzer target: --build-arg and --label values carried through planning into the image
// config. Input: lines; "a..." is a --build-arg value, "l..." a --label value, "e..." an
// environment entry NAME=VALUE for bare --build-arg names. The config must serialize and parse back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "oci/image_config.h"
#include "parser/ast.h"
#include "parser/instructions.h"
#include "planner/build_flags.h"
#include "planner/planner.h"

namespace {

// Uses the args in FROM, ENV, LABEL, RUN, WORKDIR, USER, EXPOSE and a second stage.
constexpr std::string_view kDockerfile =
    "ARG BASE=scratch\n"
    "ARG A\n"
    "FROM ${BASE} AS first\n"
    "ARG A\nARG B=b\nARG C\n"
    "ENV A=$A B=${B:-x} C=\"${C}\"\n"
    "LABEL a=$A b=\"${B}\" \"$C\"=c\n"
    "WORKDIR /w/${A:+set}\n"
    "USER ${B}\n"
    "RUN echo \"$A\" $B ${C}\n"
    "FROM first\n"
    "ARG A\n"
    "EXPOSE ${A:-80}\n"
    "LABEL later=${A}\n";

const builder::parser::Dockerfile& Parsed() {
  static const builder::parser::Dockerfile* dockerfile = [] {
    auto ast = builder::parser::ParseDockerfile(kDockerfile, "Dockerfile");
    if (!ast) std::abort();
    auto typed = builder::parser::ParseInstructions(*ast);
    if (!typed) std::abort();
    return new builder::parser::Dockerfile(std::move(*typed));
  }();
  return *dockerfile;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> environment;
  builder::planner::PlanOptions options;
  const builder::planner::EnvLookup env = [&](const std::string& name) -> std::optional<std::string> {
    auto it = environment.find(name);
    if (it == environment.end()) return std::nullopt;
    return it->second;
  };
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty()) continue;
    const std::string_view value = line.substr(1);
    switch (line[0]) {
      case 'a': builder::planner::AddBuildArgFlag(value, options.build_args, env); break;
      case 'l': builder::planner::AddLabelFlag(value, options.labels); break;
      case 'e': {
        const auto eq = value.find('=');
        environment[std::string(value.substr(0, eq))] =
            eq == std::string_view::npos ? "" : std::string(value.substr(eq + 1));
        break;
      }
      default: break;
    }
  }
  auto plan = builder::planner::PlanBuild(
      Parsed(), options,
      [](const std::string&) -> builder::Result<std::optional<builder::oci::ImageConfig>> {
        return std::nullopt;
      });
  if (!plan) {
    (void)plan.error().ToString();
    return 0;
  }
  for (const auto& stage : plan->stages) {
    builder::oci::ImageConfig image;
    image.architecture = "amd64";
    image.os = "linux";
    image.config = stage.final_config;
    const std::string json = image.Serialize();
    auto back = builder::oci::ImageConfig::Parse(json);
    if (!back) {
      std::fprintf(stderr, "build_flags_fuzz: config does not parse back: %s\n%s\n",
                   back.error().ToString().c_str(), json.c_str());
      std::abort();
    }
  }
  return 0;
}
