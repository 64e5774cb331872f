// Turning --build-arg and --label values into the plan's maps, as docker reads them.
#include "planner/build_flags.h"

#include <cstdlib>

namespace builder::planner {

void AddBuildArgFlag(std::string_view flag, std::map<std::string, std::string>& build_args,
                     const EnvLookup& env) {
  const auto eq = flag.find('=');
  if (eq != std::string_view::npos) {
    build_args[std::string(flag.substr(0, eq))] = std::string(flag.substr(eq + 1));
    return;
  }
  // docker's `--build-arg NAME` takes the environment's value, and nothing when it is unset.
  std::string name(flag);
  if (auto value = env(name)) build_args[name] = std::move(*value);
}

void AddLabelFlag(std::string_view flag, std::map<std::string, std::string>& labels) {
  const auto eq = flag.find('=');
  labels[std::string(flag.substr(0, eq))] =
      eq == std::string_view::npos ? std::string() : std::string(flag.substr(eq + 1));
}

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

}  // namespace builder::planner
