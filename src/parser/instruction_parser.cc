// ParseInstructions: Ast nodes -> stages of typed instructions, with BuildKit's checks and
// messages (frontend/dockerfile/instructions/parse.go).
#include <array>

#include "parser/instructions.h"
#include "parser/node_reader.h"
#include "parser/port_spec.h"
#include "parser/stop_signal.h"
#include "parser/suggest.h"

namespace builder::parser {

namespace {

constexpr std::array<std::string_view, 18> kInstructionNames = {
    "ADD",    "ARG",   "CMD",         "COPY",  "ENTRYPOINT", "ENV",
    "EXPOSE", "FROM",  "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD",
    "RUN",    "SHELL", "STOPSIGNAL",  "USER",  "VOLUME",     "WORKDIR"};

Result<Instruction> ParseNode(const Ast& ast, const Node& node);

// ENV and LABEL arrive as (key, value, "=" or "") triples.
Result<std::vector<KeyValue>> ParseKeyValues(const NodeReader& r, std::string_view command,
                                             bool* legacy) {
  const auto& args = r.node().args;
  if (args.empty()) return r.AtKeyword(std::string(command) + " requires at least one argument");
  if (args.size() % 3 != 0)
    return r.AtArgs("Bad input to " + std::string(command) + ", too many arguments");
  std::vector<KeyValue> out;
  for (std::size_t i = 0; i < args.size(); i += 3) {
    if (args[i].empty()) return r.AtArgs(std::string(command) + " names can not be blank");
    out.push_back({args[i], args[i + 1]});
    if (args[i + 2].empty()) *legacy = true;
  }
  return out;
}

Result<ArgInst> ParseArg(const NodeReader& r) {
  BUILDER_TRY(r.NoFlags());
  const auto& args = r.node().args;
  if (args.empty()) return r.AtKeyword("ARG requires at least one argument");
  ArgInst inst{r.Base()};
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::size_t eq = args[i].find('=');
    if (eq == 0) return r.AtArg(i, "ARG names can not be blank");
    if (eq == std::string::npos) {
      inst.args.push_back({args[i], std::nullopt});
    } else {
      inst.args.push_back({args[i].substr(0, eq), args[i].substr(eq + 1)});
    }
  }
  return inst;
}

// Stage names: BuildKit's ^[a-z][a-z0-9-_.]*$ after lower-casing.
bool ValidStageName(std::string_view name) {
  if (name.empty() || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<Stage> ParseFrom(const NodeReader& r) {
  const auto& args = r.node().args;
  Stage stage;
  if (args.size() == 3 && LowerAscii(args[1]) == "as") {
    stage.name = LowerAscii(args[2]);
    if (!ValidStageName(stage.name)) {
      return r.AtArg(2, "invalid name for build stage: \"" + args[2] +
                            "\", name can't start with a number or contain symbols");
    }
  } else if (args.size() != 1) {
    return r.AtArgs("FROM requires either one or three arguments");
  }
  FlagSet flags;
  flags.AddString("platform");
  BUILDER_TRY(r.ParseFlags(flags));
  stage.base = args[0];
  if (flags.used("platform")) stage.platform = flags.value("platform");
  stage.range = r.node().range;
  stage.original = r.node().original;
  return stage;
}

CommandLine MakeCommand(const Node& node) { return {node.args, node.json_form}; }

Result<ShellInst> ParseShell(const NodeReader& r) {
  BUILDER_TRY(r.NoFlags());
  if (r.node().args.empty()) return r.AtKeyword("SHELL requires at least one argument");
  if (!r.node().json_form) return r.AtArgs("SHELL requires the arguments to be in JSON form");
  ShellInst inst{r.Base()};
  inst.shell = r.node().args;
  return inst;
}

// USER, WORKDIR, STOPSIGNAL, MAINTAINER: the rest of the line is the one argument.
Result<std::string> ExactlyOne(const NodeReader& r, std::string_view command) {
  if (r.node().args.size() != 1)
    return r.AtArgs(std::string(command) + " requires exactly one argument");
  BUILDER_TRY(r.NoFlags());
  return r.node().args[0];
}

Result<ExposeInst> ParseExpose(const NodeReader& r) {
  const auto& args = r.node().args;
  if (args.empty()) return r.AtKeyword("EXPOSE requires at least one argument");
  BUILDER_TRY(r.NoFlags());
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].find('$') != std::string::npos) continue;  // checked after expansion
    auto ports = ParsePortSpecRange(args[i]);
    if (!ports) return r.AtArg(i, ports.error().message());
  }
  return ExposeInst{r.Base(), args};
}

Result<VolumeInst> ParseVolume(const NodeReader& r) {
  const auto& args = r.node().args;
  if (args.empty()) return r.AtKeyword("VOLUME requires at least one argument");
  BUILDER_TRY(r.NoFlags());
  VolumeInst inst{r.Base()};
  inst.json_form = r.node().json_form;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::size_t b = args[i].find_first_not_of(" \t\n\r\v\f");
    if (b == std::string::npos) return r.AtArg(i, "VOLUME specified can not be an empty string");
    std::size_t e = args[i].find_last_not_of(" \t\n\r\v\f");
    inst.volumes.push_back(args[i].substr(b, e - b + 1));
  }
  return inst;
}

// The ONBUILD expression BuildKit stores: the text after the keyword (its regex
// `(?i)^\s*ONBUILD\s*` removed), heredoc bodies appended.
std::string OnbuildExpression(const Node& node) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
  };
  std::string_view text = node.original;
  std::size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  std::string out = node.original;
  if (LowerAscii(text.substr(i, 7)) == "onbuild") {
    i += 7;
    while (i < text.size() && is_space(text[i])) ++i;
    out = std::string(text.substr(i));
  }
  const Node& trigger = node.sub ? *node.sub : node;
  for (const Heredoc& h : trigger.heredocs) out += "\n" + h.content + h.name;
  return out;
}

Result<OnbuildInst> ParseOnbuild(const Ast& ast, const NodeReader& r) {
  const Node& node = r.node();
  if (!node.sub) return r.AtKeyword("ONBUILD requires at least one argument");
  BUILDER_TRY(r.NoFlags());
  const Node& sub = *node.sub;
  SourcePos at = sub.range.start.line > 0 ? sub.range.start : node.args_pos;
  if (sub.keyword == "onbuild")
    return std::unexpected(ast.ErrorAt(at, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"));
  if (sub.keyword == "from" || sub.keyword == "maintainer") {
    return std::unexpected(
        ast.ErrorAt(at, UpperAscii(sub.keyword) + " isn't allowed as an ONBUILD trigger"));
  }
  OnbuildInst inst{r.Base()};
  inst.expression = OnbuildExpression(node);
  inst.trigger.push_back(BUILDER_TRY(ParseNode(ast, sub)));
  return inst;
}

Result<Instruction> ParseNode(const Ast& ast, const Node& node) {
  NodeReader r(ast, node);
  const std::string& k = node.keyword;
  if (k == "arg") return Instruction(BUILDER_TRY(ParseArg(r)));
  if (k == "env" || k == "label") {
    bool legacy = false;
    BUILDER_TRY(r.NoFlags());
    auto pairs = BUILDER_TRY(ParseKeyValues(r, k == "env" ? "ENV" : "LABEL", &legacy));
    if (k == "env") return Instruction(EnvInst{r.Base(), std::move(pairs), legacy});
    return Instruction(LabelInst{r.Base(), std::move(pairs), legacy});
  }
  if (k == "run") return Instruction(BUILDER_TRY(ParseRun(r)));
  if (k == "cmd" || k == "entrypoint") {
    BUILDER_TRY(r.NoFlags());
    if (k == "cmd") return Instruction(CmdInst{r.Base(), MakeCommand(node)});
    return Instruction(EntrypointInst{r.Base(), MakeCommand(node)});
  }
  if (k == "shell") return Instruction(BUILDER_TRY(ParseShell(r)));
  if (k == "workdir")
    return Instruction(WorkdirInst{r.Base(), BUILDER_TRY(ExactlyOne(r, "WORKDIR"))});
  if (k == "user") return Instruction(UserInst{r.Base(), BUILDER_TRY(ExactlyOne(r, "USER"))});
  if (k == "stopsignal") {
    std::string signal = BUILDER_TRY(ExactlyOne(r, "STOPSIGNAL"));
    if (signal.find('$') == std::string::npos) {  // else checked after expansion
      auto parsed = ParseStopSignal(signal);
      if (!parsed) return r.AtArgs(parsed.error().message());
    }
    return Instruction(StopsignalInst{r.Base(), std::move(signal)});
  }
  if (k == "maintainer")
    return Instruction(MaintainerInst{r.Base(), BUILDER_TRY(ExactlyOne(r, "MAINTAINER"))});
  if (k == "copy") return Instruction(BUILDER_TRY(ParseCopy(r)));
  if (k == "add") return Instruction(BUILDER_TRY(ParseAdd(r)));
  if (k == "expose") return Instruction(BUILDER_TRY(ParseExpose(r)));
  if (k == "volume") return Instruction(BUILDER_TRY(ParseVolume(r)));
  if (k == "healthcheck") return Instruction(BUILDER_TRY(ParseHealthcheck(r)));
  if (k == "onbuild") return Instruction(BUILDER_TRY(ParseOnbuild(ast, r)));
  if (k == "from") {
    // Only reachable as an ONBUILD trigger, which ParseOnbuild refuses first.
    return r.AtKeyword("FROM isn't allowed as an ONBUILD trigger");
  }
  std::string written = r.KeywordAsWritten();
  return r.AtKeyword(
      WithSuggestion("unknown instruction: " + written, written, kInstructionNames, false));
}

}  // namespace

Result<Dockerfile> ParseInstructions(const Ast& ast) {
  Dockerfile df;
  df.file = ast.file;
  df.directives = ast.directives;
  df.warnings = ast.warnings;
  for (const Node& node : ast.children) {
    if (node.keyword == "from") {
      df.stages.push_back(BUILDER_TRY(ParseFrom(NodeReader(ast, node))));
      continue;
    }
    Instruction inst = BUILDER_TRY(ParseNode(ast, node));
    if (df.stages.empty()) {
      if (auto* arg = std::get_if<ArgInst>(&inst)) {
        df.meta_args.push_back(std::move(*arg));
        continue;
      }
      return std::unexpected(
          ast.ErrorAt(node.range.start, "no build stage in current context (" +
                                            NodeReader(ast, node).KeywordAsWritten() +
                                            " comes before the first FROM)"));
    }
    df.stages.back().instructions.push_back(std::move(inst));
  }
  if (df.stages.empty()) {
    SourcePos at = ast.children.empty() ? SourcePos{1, 1} : ast.children.back().range.start;
    return std::unexpected(ast.ErrorAt(at, "dockerfile contains no stages to build"));
  }
  return df;
}

const char* InstructionKind(const Instruction& inst) {
  static constexpr const char* kKinds[] = {
      "arg",    "env",         "label",      "run",     "cmd",       "entrypoint",
      "shell",  "workdir",     "user",       "copy",    "add",       "expose",
      "volume", "healthcheck", "stopsignal", "onbuild", "maintainer"};
  static_assert(std::size(kKinds) == std::variant_size_v<InstructionVariant>);
  return kKinds[inst.index()];
}

const InstructionBase& InstructionHeader(const Instruction& inst) {
  return std::visit([](const auto& i) -> const InstructionBase& { return i; },
                    static_cast<const InstructionVariant&>(inst));
}

}  // namespace builder::parser
