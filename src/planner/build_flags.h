// The `build` flags that carry values into the plan: --build-arg NAME[=VALUE] and --label KEY[=VALUE].
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace builder::planner {

/// Looks a name up in the environment; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// One --build-arg value, as docker takes it: "NAME=VALUE" sets NAME (the value may be empty or
/// hold further '='), a bare "NAME" takes the environment's value and is left out when unset.
/// A later flag for the same name wins.
void AddBuildArgFlag(std::string_view flag, std::map<std::string, std::string>& build_args,
                     const EnvLookup& env);

/// One --label value: "KEY=VALUE", a bare "KEY" meaning an empty value. A later one wins.
void AddLabelFlag(std::string_view flag, std::map<std::string, std::string>& labels);

/// The process environment, for AddBuildArgFlag.
std::optional<std::string> ProcessEnv(const std::string& name);

}  // namespace builder::planner
