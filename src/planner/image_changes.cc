// ApplyChanges: parse each --change as a one-instruction Dockerfile and edit the config.
#include "planner/image_changes.h"

#include <algorithm>
#include <cctype>
#include <type_traits>
#include <variant>

#include "base/path.h"
#include "parser/ast.h"
#include "parser/instructions.h"
#include "parser/port_spec.h"
#include "parser/shell_lexer.h"

namespace builder::planner {
namespace {

using namespace builder::parser;

std::vector<std::string> Command(const CommandLine& line, const oci::ContainerConfig& config) {
  if (line.exec_form) return line.args;
  std::vector<std::string> out =
      config.shell.empty() ? std::vector<std::string>{"/bin/sh", "-c"} : config.shell;
  std::string joined;
  for (const std::string& a : line.args) joined += (joined.empty() ? "" : " ") + a;
  out.push_back(joined);
  return out;
}

class Applier {
 public:
  explicit Applier(oci::ContainerConfig& config) : config_(config) {}

  Result<void> Apply(const Instruction& inst) {
    return std::visit([&](const auto& i) { return On(i); },
                      static_cast<const InstructionVariant&>(inst));
  }

 private:
  Result<std::string> Expand(std::string_view word) const {
    ShellEnv env = ShellEnv::FromEntries(config_.env);
    auto r = BUILDER_TRY(ShellLexer().ProcessWord(word, env));
    return r.word;
  }

  Result<void> On(const CmdInst& i) {
    config_.cmd = Command(i.command, config_);
    cmd_set_ = true;
    return {};
  }
  Result<void> On(const EntrypointInst& i) {
    config_.entrypoint = Command(i.command, config_);
    if (!cmd_set_) config_.cmd.clear();
    return {};
  }
  Result<void> On(const EnvInst& i) {
    for (const KeyValue& kv : i.vars) {
      std::string key = BUILDER_TRY(Expand(kv.key));
      std::string value = BUILDER_TRY(Expand(kv.value));
      auto same = [&](const std::string& e) { return e.substr(0, e.find('=')) == key; };
      auto it = std::find_if(config_.env.begin(), config_.env.end(), same);
      if (it != config_.env.end()) {
        *it = key + "=" + value;
      } else {
        config_.env.push_back(key + "=" + value);
      }
    }
    return {};
  }
  Result<void> On(const LabelInst& i) {
    for (const KeyValue& kv : i.labels) {
      std::string key = BUILDER_TRY(Expand(kv.key));
      config_.labels[key] = BUILDER_TRY(Expand(kv.value));
    }
    return {};
  }
  Result<void> On(const ExposeInst& i) {
    for (const std::string& word : i.ports) {
      std::string expanded = BUILDER_TRY(Expand(word));
      for (std::string& port : BUILDER_TRY(ParsePortSpec(expanded)))
        config_.exposed_ports.insert(std::move(port));
    }
    return {};
  }
  Result<void> On(const OnbuildInst& i) {
    config_.on_build.push_back(i.expression);
    return {};
  }
  Result<void> On(const UserInst& i) {
    config_.user = BUILDER_TRY(Expand(i.user));
    return {};
  }
  Result<void> On(const VolumeInst& i) {
    for (const std::string& v : i.volumes) {
      std::string path = BUILDER_TRY(Expand(v));
      if (path.empty()) return Fail(ErrorCode::kInvalidArgument, "VOLUME specified can not be an empty string");
      config_.volumes.insert(path);
    }
    return {};
  }
  Result<void> On(const WorkdirInst& i) {
    std::string dir = BUILDER_TRY(Expand(i.path));
    config_.working_dir = dir.starts_with('/')
                              ? CleanPath(dir)
                              : CleanPath(JoinPath(config_.working_dir.empty() ? "/" : config_.working_dir, dir));
    return {};
  }
  Result<void> On(const StopsignalInst& i) {
    config_.stop_signal = BUILDER_TRY(Expand(i.signal));
    return {};
  }
  Result<void> On(const HealthcheckInst& i) {
    oci::Healthcheck check;
    if (i.none) {
      check.test = {"NONE"};
    } else {
      if (i.command.exec_form) {
        check.test = {"CMD"};
        check.test.insert(check.test.end(), i.command.args.begin(), i.command.args.end());
      } else {
        std::string joined;
        for (const std::string& a : i.command.args) joined += (joined.empty() ? "" : " ") + a;
        check.test = {"CMD-SHELL", joined};
      }
      check.interval = i.interval.value_or(0);
      check.timeout = i.timeout.value_or(0);
      check.start_period = i.start_period.value_or(0);
      check.start_interval = i.start_interval.value_or(0);
      check.retries = i.retries.value_or(0);
    }
    config_.healthcheck = check;
    return {};
  }
  Result<void> On(const ShellInst& i) {
    config_.shell = i.shell;
    return {};
  }
  template <class T>
  Result<void> On(const T& i) {
    std::string word = i.original.substr(0, i.original.find_first_of(" \t"));
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return Fail(ErrorCode::kInvalidArgument, word + " is not a valid change command");
  }

  oci::ContainerConfig& config_;
  bool cmd_set_ = false;
};

}  // namespace

Result<void> ApplyChanges(const std::vector<std::string>& changes, oci::ContainerConfig& config) {
  Applier applier(config);
  for (const std::string& change : changes) {
    auto applied = [&]() -> Result<void> {
      Ast ast = BUILDER_TRY(ParseDockerfile("FROM scratch\n" + change + "\n", "--change"));
      Dockerfile file = BUILDER_TRY(ParseInstructions(ast));
      if (file.stages.size() != 1) {
        return Fail(ErrorCode::kInvalidArgument, "FROM is not a valid change command");
      }
      for (const Instruction& inst : file.stages[0].instructions) BUILDER_TRY(applier.Apply(inst));
      return {};
    }();
    if (!applied) return Fail(std::move(applied).error().Context("--change " + change));
  }
  return {};
}

}  // namespace builder::planner
