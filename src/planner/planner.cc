// Planning one stage: build args, ARG/ENV scoping and late word expansion, one Step per
// instruction, following BuildKit's dockerfile2llb dispatch rules.
#include "planner/planner.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <utility>

#include "base/path.h"
#include "parser/ast.h"
#include "filespec/file_mode.h"
#include "parser/heredoc_reader.h"
#include "parser/mount_spec.h"
#include "planner/secret_mount.h"
#include "parser/port_spec.h"
#include "parser/shell_lexer.h"
#include "planner/step_text.h"

namespace builder::planner {
namespace {

constexpr std::string_view kProxyArgs[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY",
                                           "https_proxy", "FTP_PROXY", "ftp_proxy",
                                           "NO_PROXY",   "no_proxy",   "ALL_PROXY",
                                           "all_proxy"};
constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// BuildKit's automatic platform ARGs: BUILD* for the host, TARGET* for --platform.
std::vector<std::pair<std::string, std::string>> AutomaticArgs(const PlanOptions& options) {
  oci::Platform build = oci::Platform::Host().Normalized();
  oci::Platform target = options.platform ? options.platform->Normalized() : build;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [prefix, p] : {std::pair<std::string, const oci::Platform*>{"BUILD", &build},
                                  std::pair<std::string, const oci::Platform*>{"TARGET", &target}}) {
    out.emplace_back(prefix + "PLATFORM", PlatformArg(*p));
    out.emplace_back(prefix + "OS", p->os);
    out.emplace_back(prefix + "ARCH", p->architecture);
    out.emplace_back(prefix + "VARIANT", p->variant);
  }
  return out;
}

// The mutable state of a stage while its instructions are dispatched.
struct StageState {
  const parser::Dockerfile* file = nullptr;
  const PlanOptions* options = nullptr;
  parser::ShellLexer lexer;
  parser::ShellLexer raw_lexer;  // heredoc bodies: quotes kept
  parser::ShellEnv env;          // what words expand against: image env + ARG values
  std::vector<std::pair<std::string, std::string>> args;  // ARGs in scope with values, in order
  std::map<std::string, std::optional<std::string>> meta_args;
  oci::ContainerConfig config;
  // KEY -> position of its "KEY=value" in config.env: ENV and the ARG/RUN env checks stay
  // O(1) per key, so a Dockerfile of many ENV lines plans in linear time.
  std::unordered_map<std::string, std::size_t> env_index;
  // ARG name -> position in args, for the same reason.
  std::unordered_map<std::string, std::size_t> arg_index;
  std::string author;
  bool cmd_set = false;
  std::set<std::string>* used_args = nullptr;
  const StageLinks* links = nullptr;  // null: single-stage planning, --from names an image
};

Error Located(const StageState& s, const parser::InstructionBase& inst, Error error) {
  if (error.has_location()) return error;
  if (error.code() != ErrorCode::kParse)
    return Error(error.code(), s.file->file + ":" + std::to_string(inst.range.start.line) + ": " +
                                   error.message());
  SourceLocation loc{s.file->file, inst.range.start.line, inst.range.start.col, ""};
  Error out = Error::AtSource(std::move(loc), error.message());
  return out;
}

Result<std::string> Expand(const StageState& s, const parser::InstructionBase& inst,
                           std::string_view word) {
  auto r = s.lexer.ProcessWord(word, s.env);
  if (!r) return Fail(Located(s, inst, r.error()));
  for (const auto& name : r->matched) s.used_args->insert(name);
  return std::move(r->word);
}

Result<std::vector<std::string>> ExpandWords(const StageState& s,
                                             const parser::InstructionBase& inst,
                                             std::string_view word) {
  auto r = s.lexer.ProcessWords(word, s.env);
  if (!r) return Fail(Located(s, inst, r.error()));
  return std::move(r->words);
}

bool HasEnv(const StageState& s, const std::string& key) { return s.env_index.count(key) != 0; }

// Sets KEY in the image env: in place when present (keeping its position), else appended.
void SetEnv(StageState& s, const std::string& key, const std::string& value) {
  auto [it, added] = s.env_index.emplace(key, s.config.env.size());
  if (added) s.config.env.push_back(key + "=" + value);
  else s.config.env[it->second] = key + "=" + value;
}

// Indexes config.env after it was replaced wholesale (the base image's); the first entry of a
// key wins, as a linear search would find it.
void IndexEnv(StageState& s) {
  s.env_index.clear();
  for (std::size_t i = 0; i < s.config.env.size(); ++i) {
    const std::string& e = s.config.env[i];
    s.env_index.emplace(e.substr(0, e.find('=')), i);
  }
}

std::vector<std::string> WithShell(const StageState& s, const parser::CommandLine& cmd) {
  if (cmd.exec_form) return cmd.args;
  std::vector<std::string> argv =
      s.config.shell.empty() ? std::vector<std::string>{"/bin/sh", "-c"} : s.config.shell;
  std::string joined;
  for (std::size_t i = 0; i < cmd.args.size(); ++i) joined += (i ? " " : "") + cmd.args[i];
  argv.push_back(joined);
  return argv;
}

// The environment a RUN sees: the image env, then the ARGs in scope that ENV does not shadow,
// then predefined proxy args given on the command line.
std::vector<std::string> RunEnv(const StageState& s) {
  std::vector<std::string> env = s.config.env;
  for (const auto& [k, v] : s.args)
    if (!HasEnv(s, k)) env.push_back(k + "=" + v);
  for (const auto& [k, v] : s.options->build_args)
    if (IsPredefinedArg(k) && !HasEnv(s, k) && !s.arg_index.count(k)) env.push_back(k + "=" + v);
  return env;
}

Result<Step> PlanRun(StageState& s, const parser::RunInst& run) {
  RunStep step;
  std::vector<std::string> args = run.command.args;
  if (!run.heredocs.empty() && !run.command.exec_form && args.size() == 1) {
    std::string_view word = args[0];
    while (!word.empty() && (word.back() == ' ' || word.back() == '\t')) word.remove_suffix(1);
    auto single = parser::ParseHeredocWord(word);
    const parser::Heredoc& doc = run.heredocs[0];
    std::string body = doc.chomp ? parser::ChompHeredocContent(doc.content) : doc.content;
    if (single && *single && run.heredocs.size() == 1) {
      if (body.starts_with("#!")) {
        // A script with its own interpreter: run the file itself.
        std::string path = "/dev/pipes/" + doc.name;
        step.files.push_back({path, body, 0755});
        args = {path};
        step.argv = args;
      } else {
        args = {body};
      }
    } else {
      // A heredoc inside a longer command: the shell reads it as written.
      std::string full = args[0];
      for (const auto& d : run.heredocs) full += "\n" + d.content + d.name;
      args = {full};
    }
  }
  if (step.argv.empty()) {
    parser::CommandLine cmd{args, run.command.exec_form};
    step.argv = WithShell(s, cmd);
  }
  step.env = RunEnv(s);
  step.cwd = s.config.working_dir.empty() ? "/" : s.config.working_dir;
  step.user = s.config.user;
  step.network = run.network;
  int ssh_mounts = 0;  // numbers the default ssh targets, as BuildKit: ssh_agent.0, .1, ...
  for (const auto& spec : run.mounts) {
    parser::MountSpec m = spec;
    if (spec.text.find('$') != std::string::npos) {
      std::string text = BUILDER_TRY(Expand(s, run, spec.text));
      auto reparsed = parser::ParseMountSpec(text);
      if (!reparsed) return Fail(Located(s, run, reparsed.error()));
      m = *reparsed;
      m.from = spec.from;
    }
    if (m.type == "secret" || m.type == "ssh") {
      auto mount = PlanSecretMount(m, s.config.working_dir.empty() ? "/" : s.config.working_dir, &ssh_mounts);
      if (!mount) return Fail(Located(s, run, mount.error()));
      step.mounts.push_back(std::move(*mount));
      continue;
    }
    RunMount mount;
    mount.type = m.type;
    std::string wd = s.config.working_dir.empty() ? "/" : s.config.working_dir;
    mount.target = m.target.starts_with("/") ? CleanPath(m.target) : JoinPath(wd, m.target);
    if (!mount.target.starts_with("/")) mount.target = "/" + mount.target;
    mount.source = m.source;
    mount.read_only = m.read_only;
    mount.cache_id = m.id.empty() ? mount.target : m.id;
    if (!m.mode.empty()) mount.mode = static_cast<unsigned>(std::stoul(m.mode, nullptr, 8));
    if (!m.uid.empty()) mount.uid = static_cast<unsigned>(std::stoul(m.uid));
    if (!m.gid.empty()) mount.gid = static_cast<unsigned>(std::stoul(m.gid));
    if (!m.from.empty()) {
      std::string lowered = m.from;
      std::transform(lowered.begin(), lowered.end(), lowered.begin(), ::tolower);
      bool numeric = std::all_of(m.from.begin(), m.from.end(), ::isdigit) && m.from.size() < 7;
      if (s.links && numeric && std::stoul(m.from) < s.links->by_index.size() &&
          s.links->by_index[std::stoul(m.from)] >= 0) {
        mount.from_stage = s.links->by_index[std::stoul(m.from)];
      } else if (s.links && s.links->by_name.count(lowered)) {
        mount.from_stage = s.links->by_name.at(lowered);
      } else if (const NamedContext* named = FindNamedContext(s.options->named_contexts, m.from)) {
        mount.from_image = named->image;
        mount.from_dir = named->dir;
        mount.from_dir_digest = named->dir_digest;
      } else {
        mount.from_image = m.from;
      }
    }
    step.mounts.push_back(std::move(mount));
  }
  Step out;
  out.name = "RUN " + ShortCommand(run.command, run.heredocs);
  out.created_by = RunCreatedBy(s.args, step.argv, !run.command.exec_form);
  // The key part without arg values: they become separate inputs ("build arg X changed").
  RunStep masked = step;
  std::vector<std::pair<std::string, std::string>> arg_names;
  for (const auto& [k, v] : s.args) {
    arg_names.emplace_back(k, "");
    out.args[k] = v;
  }
  for (auto& e : masked.env) {
    std::string key = e.substr(0, e.find('='));
    if (out.args.count(key) && !HasEnv(s, key)) e = key;
  }
  out.canonical = CanonicalRun(masked, arg_names);
  out.action = std::move(step);
  return out;
}

Result<Step> PlanCopy(StageState& s, const parser::CopyBase& inst, bool add,
                      const parser::CopyInst* copy, const parser::AddInst* add_inst) {
  CopyStep step;
  std::string out_from_text;
  step.add = add;
  if (copy && !copy->from.empty()) {
    std::string from = BUILDER_TRY(Expand(s, inst, copy->from));
    std::string lowered = from;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), ::tolower);
    bool numeric = !from.empty() && std::all_of(from.begin(), from.end(), ::isdigit);
    if (s.links && numeric) {
      std::size_t n = std::stoul(from.size() > 6 ? std::string("999999") : from);
      if (n >= s.links->by_index.size() || s.links->by_index[n] < 0)
        return Fail(Located(s, inst, Error(ErrorCode::kInvalidArgument,
                                           "invalid from flag value " + from + ": refers to current or later stage")));
      step.from_stage = s.links->by_index[n];
    } else if (s.links && s.links->by_name.count(lowered)) {
      step.from_stage = s.links->by_name.at(lowered);
    } else if (const NamedContext* named = FindNamedContext(s.options->named_contexts, from)) {
      step.from_image = named->image;
      step.from_dir = named->dir;
      step.from_dir_digest = named->dir_digest;
    } else {
      step.from_image = from;
    }
  }
  for (const auto& src : inst.sources) step.sources.push_back(BUILDER_TRY(Expand(s, inst, src)));
  for (const auto& doc : inst.heredocs) {
    std::string body = doc.chomp ? parser::ChompHeredocContent(doc.content) : doc.content;
    if (doc.expand) {
      auto r = s.raw_lexer.ProcessWord(body, s.env);
      if (!r) return Fail(Located(s, inst, r.error()));
      body = std::move(r->word);
    }
    step.inline_files.push_back({doc.name, std::move(body)});
  }
  std::string dest = BUILDER_TRY(Expand(s, inst, inst.dest));
  bool dir_dest = dest.ends_with("/") || dest.ends_with("/.") || dest == ".";
  std::string wd = s.config.working_dir.empty() ? "/" : s.config.working_dir;
  std::string abs = dest.starts_with("/") ? CleanPath(dest) : JoinPath(wd, dest);
  if (!abs.starts_with("/")) abs = "/" + abs;
  if (dir_dest && abs != "/") abs += "/";
  step.dest = abs;
  if (!inst.chown.empty()) step.chown = BUILDER_TRY(Expand(s, inst, inst.chown));
  if (!inst.chmod.empty()) {
    step.chmod = BUILDER_TRY(Expand(s, inst, inst.chmod));
    auto mode = filespec::ParseChmod(step.chmod);
    if (!mode) return Fail(Located(s, inst, mode.error()));
  }
  for (const auto& e : inst.excludes) step.excludes.push_back(BUILDER_TRY(Expand(s, inst, e)));
  if (copy) step.parents = copy->parents;
  step.link = inst.link;
  if (step.link && !step.chown.empty()) {
    // A linked layer is made over an empty tree: there is no /etc/passwd to look a name up in
    // (BuildKit fails the same build late with "invalid user index: -1").
    auto by_id = [](std::string_view part) {
      return part.empty() || part == "root" || std::all_of(part.begin(), part.end(), ::isdigit);
    };
    std::string_view chown = step.chown;
    std::size_t colon = chown.find(':');
    if (!by_id(chown.substr(0, colon)) || (colon != std::string_view::npos && !by_id(chown.substr(colon + 1))))
      return Fail(Located(s, inst, Error(ErrorCode::kInvalidArgument,
                                         "--link with --chown=" + step.chown + ": a linked layer cannot look up user or "
                                         "group names (there is no /etc/passwd beneath it); use numeric ids")));
  }
  if (step.link) out_from_text += " --link";
  if (copy && !copy->from.empty()) out_from_text += " --from=" + copy->from;
  if (add_inst) {
    step.checksum = BUILDER_TRY(Expand(s, inst, add_inst->checksum));
    step.unpack = add_inst->unpack.value_or(true);
  }
  Step out;
  out.name = std::string(add ? "ADD" : "COPY") + out_from_text + " " + CopyArgsText(step);
  out.created_by = out.name + " # buildkit";
  out.canonical = CanonicalCopy(step);
  out.action = std::move(step);
  return out;
}

Step ConfigOnly(std::string created_by) {
  Step out;
  out.name = created_by;
  out.created_by = std::move(created_by);
  out.canonical = out.created_by;
  out.action = ConfigStep{};
  return out;
}

Result<void> DeclareArgs(StageState& s, const parser::ArgInst& arg, std::string* history) {
  *history = "ARG";
  for (const auto& decl : arg.args) {
    std::optional<std::string> value;
    auto given = s.options->build_args.find(decl.key);
    if (given != s.options->build_args.end()) {
      value = given->second;
    } else if (decl.value) {
      value = BUILDER_TRY(Expand(s, arg, *decl.value));
    } else if (auto meta = s.meta_args.find(decl.key); meta != s.meta_args.end()) {
      value = meta->second;
    }
    s.used_args->insert(decl.key);
    *history += " " + decl.key + (value ? "=" + *value : "");
    if (!value) continue;
    auto [it, added] = s.arg_index.emplace(decl.key, s.args.size());
    if (added) s.args.emplace_back(decl.key, *value);
    else s.args[it->second].second = *value;
    if (!HasEnv(s, decl.key)) s.env.Set(decl.key, *value);
  }
  return {};
}

Result<std::optional<Step>> Dispatch(StageState& s, const parser::Instruction& inst);

Result<std::optional<Step>> DispatchOnbuild(StageState& s, const parser::OnbuildInst& on) {
  s.config.on_build.push_back(on.expression);
  return std::optional<Step>(ConfigOnly("ONBUILD " + on.expression));
}

Result<std::optional<Step>> Dispatch(StageState& s, const parser::Instruction& inst) {
  using R = Result<std::optional<Step>>;
  return std::visit(
      [&](const auto& i) -> R {
        using T = std::decay_t<decltype(i)>;
        if constexpr (std::is_same_v<T, parser::ArgInst>) {
          std::string history;
          BUILDER_TRY(DeclareArgs(s, i, &history));
          return std::optional<Step>(ConfigOnly(history));
        } else if constexpr (std::is_same_v<T, parser::EnvInst>) {
          // Every value expands against the environment from before this ENV.
          std::string text = "ENV";
          std::vector<std::pair<std::string, std::string>> pairs;
          for (const auto& kv : i.vars)
            pairs.emplace_back(BUILDER_TRY(Expand(s, i, kv.key)), BUILDER_TRY(Expand(s, i, kv.value)));
          for (const auto& [key, value] : pairs) {
            SetEnv(s, key, value);
            s.env.Set(key, value);
            text += " " + key + "=" + value;
          }
          return std::optional<Step>(ConfigOnly(text));
        } else if constexpr (std::is_same_v<T, parser::LabelInst>) {
          std::string text = "LABEL";
          for (const auto& kv : i.labels) {
            std::string key = BUILDER_TRY(Expand(s, i, kv.key));
            std::string value = BUILDER_TRY(Expand(s, i, kv.value));
            s.config.labels[key] = value;
            text += " " + key + "=" + value;
          }
          return std::optional<Step>(ConfigOnly(text));
        } else if constexpr (std::is_same_v<T, parser::RunInst>) {
          return std::optional<Step>(BUILDER_TRY(PlanRun(s, i)));
        } else if constexpr (std::is_same_v<T, parser::CmdInst>) {
          s.config.cmd = WithShell(s, i.command);
          s.cmd_set = true;
          return std::optional<Step>(ConfigOnly("CMD " + JsonArray(s.config.cmd)));
        } else if constexpr (std::is_same_v<T, parser::EntrypointInst>) {
          s.config.entrypoint = WithShell(s, i.command);
          if (!s.cmd_set) s.config.cmd.clear();
          return std::optional<Step>(ConfigOnly("ENTRYPOINT " + JsonArray(s.config.entrypoint)));
        } else if constexpr (std::is_same_v<T, parser::ShellInst>) {
          s.config.shell = i.shell;
          return std::optional<Step>(ConfigOnly("SHELL " + JsonArray(i.shell)));
        } else if constexpr (std::is_same_v<T, parser::WorkdirInst>) {
          std::string path = BUILDER_TRY(Expand(s, i, i.path));
          std::string wd = s.config.working_dir.empty() ? "/" : s.config.working_dir;
          path = path.starts_with("/") ? CleanPath(path) : JoinPath(wd, path);
          if (!path.starts_with("/")) path = "/" + path;
          s.config.working_dir = path;
          Step step = ConfigOnly("WORKDIR " + path);
          if (path != "/") step.action = MkdirStep{path, s.config.user};
          return std::optional<Step>(std::move(step));
        } else if constexpr (std::is_same_v<T, parser::UserInst>) {
          s.config.user = BUILDER_TRY(Expand(s, i, i.user));
          return std::optional<Step>(ConfigOnly("USER " + s.config.user));
        } else if constexpr (std::is_same_v<T, parser::CopyInst>) {
          return std::optional<Step>(BUILDER_TRY(PlanCopy(s, i, false, &i, nullptr)));
        } else if constexpr (std::is_same_v<T, parser::AddInst>) {
          return std::optional<Step>(BUILDER_TRY(PlanCopy(s, i, true, nullptr, &i)));
        } else if constexpr (std::is_same_v<T, parser::ExposeInst>) {
          std::string text = "EXPOSE";
          for (const auto& word : i.ports) {
            for (const auto& w : BUILDER_TRY(ExpandWords(s, i, word))) {
              auto ports = parser::ParsePortSpec(w);
              if (!ports) return Fail(Located(s, i, ports.error()));
              for (auto& p : *ports) {
                text += " " + p;
                s.config.exposed_ports.insert(p);
              }
            }
          }
          return std::optional<Step>(ConfigOnly(text));
        } else if constexpr (std::is_same_v<T, parser::VolumeInst>) {
          std::string text = "VOLUME";
          std::vector<std::string> vols;
          for (const auto& v : i.volumes) {
            std::string e = BUILDER_TRY(Expand(s, i, v));
            if (e.empty())
              return Fail(Located(s, i, Error(ErrorCode::kInvalidArgument,
                                              "VOLUME specified can not be an empty string")));
            s.config.volumes.insert(e);
            vols.push_back(e);
          }
          return std::optional<Step>(ConfigOnly("VOLUME " + JsonArray(vols)));
        } else if constexpr (std::is_same_v<T, parser::HealthcheckInst>) {
          oci::Healthcheck hc;
          if (i.none) {
            hc.test = {"NONE"};
          } else {
            if (i.command.exec_form) {
              hc.test = {"CMD"};
              hc.test.insert(hc.test.end(), i.command.args.begin(), i.command.args.end());
            } else {
              std::string joined;
              for (std::size_t k = 0; k < i.command.args.size(); ++k)
                joined += (k ? " " : "") + i.command.args[k];
              hc.test = {"CMD-SHELL", joined};
            }
            hc.interval = i.interval.value_or(0);
            hc.timeout = i.timeout.value_or(0);
            hc.start_period = i.start_period.value_or(0);
            hc.start_interval = i.start_interval.value_or(0);
            hc.retries = i.retries.value_or(0);
          }
          s.config.healthcheck = hc;
          return std::optional<Step>(ConfigOnly("HEALTHCHECK " + JsonArray(hc.test)));
        } else if constexpr (std::is_same_v<T, parser::StopsignalInst>) {
          std::string sig = BUILDER_TRY(Expand(s, i, i.signal));
          s.config.stop_signal = sig;
          return std::optional<Step>(ConfigOnly("STOPSIGNAL " + sig));
        } else if constexpr (std::is_same_v<T, parser::OnbuildInst>) {
          return DispatchOnbuild(s, i);
        } else if constexpr (std::is_same_v<T, parser::MaintainerInst>) {
          s.author = i.maintainer;
          return std::optional<Step>(ConfigOnly("MAINTAINER " + i.maintainer));
        } else {
          return std::optional<Step>();
        }
      },
      static_cast<const parser::InstructionVariant&>(inst));
}

std::map<std::string, std::optional<std::string>> MetaArgs(const parser::Dockerfile& file,
                                                           const PlanOptions& options,
                                                           std::set<std::string>* used) {
  std::map<std::string, std::optional<std::string>> meta;
  parser::ShellLexer lexer(parser::ShellLexOptions{.escape = file.directives.escape});
  parser::ShellEnv env;
  for (auto& [k, v] : AutomaticArgs(options)) {
    meta[k] = v;
    env.Set(k, v);
  }
  for (const auto& arg : file.meta_args) {
    for (const auto& decl : arg.args) {
      std::optional<std::string> value;
      if (auto it = options.build_args.find(decl.key); it != options.build_args.end()) {
        value = it->second;
      } else if (decl.value) {
        auto r = lexer.ProcessWord(*decl.value, env);
        value = r ? r->word : *decl.value;
      }
      if (used) used->insert(decl.key);
      meta[decl.key] = value;
      if (value) env.Set(decl.key, *value);
    }
  }
  return meta;
}

}  // namespace

parser::ShellEnv MetaArgEnv(const parser::Dockerfile& dockerfile, const PlanOptions& options,
                            std::set<std::string>* used) {
  parser::ShellEnv env;
  for (const auto& [k, v] : MetaArgs(dockerfile, options, used))
    if (v) env.Set(k, *v);
  return env;
}

std::string PlatformArg(const oci::Platform& platform) {
  std::string out = platform.os + "/" + platform.architecture;
  if (!platform.variant.empty()) out += "/" + platform.variant;
  return out;
}

bool IsPredefinedArg(std::string_view name) {
  return std::find(std::begin(kProxyArgs), std::end(kProxyArgs), name) != std::end(kProxyArgs);
}

Result<BaseChoice> ChooseBase(const parser::Dockerfile& dockerfile, const PlanOptions& options,
                              bool allow_stage_base) {
  if (dockerfile.stages.empty())
    return Fail(ErrorCode::kInvalidArgument, "the Dockerfile has no FROM instruction");
  BaseChoice choice;
  choice.stage_index = dockerfile.stages.size() - 1;
  if (!options.target.empty()) {
    bool found = false;
    for (std::size_t i = 0; i < dockerfile.stages.size(); ++i) {
      if (dockerfile.stages[i].name == options.target) {
        choice.stage_index = i;
        found = true;
      }
    }
    if (!found)
      return Fail(ErrorCode::kInvalidArgument,
                  "target stage \"" + options.target + "\" could not be found");
  }
  const parser::Stage& stage = dockerfile.stages[choice.stage_index];
  auto meta = MetaArgs(dockerfile, options, nullptr);
  parser::ShellEnv env;
  for (const auto& [k, v] : meta)
    if (v) env.Set(k, *v);
  parser::ShellLexer lexer(parser::ShellLexOptions{.escape = dockerfile.directives.escape});
  auto base = lexer.ProcessWord(stage.base, env);
  if (!base) {
    Error e = base.error();
    return Fail(Error::AtSource({dockerfile.file, stage.range.start.line, stage.range.start.col, ""},
                                e.message()));
  }
  if (base->word.empty())
    return Fail(Error::AtSource({dockerfile.file, stage.range.start.line, stage.range.start.col, ""},
                                "base name (" + stage.base + ") should not be blank"));
  std::string lowered = base->word;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), ::tolower);
  for (std::size_t i = 0; i < choice.stage_index && !allow_stage_base; ++i) {
    if (!dockerfile.stages[i].name.empty() && dockerfile.stages[i].name == lowered)
      return Fail(ErrorCode::kUnsupported,
                  "stage \"" + stage.name + "\" builds on stage \"" + lowered +
                      "\": multi-stage builds are not supported yet");
  }
  choice.base = base->word;
  return choice;
}

std::optional<std::string> UnusedBuildArgsWarning(const PlanOptions& options,
                                                  const std::set<std::string>& used) {
  std::string list;
  for (const auto& [k, v] : options.build_args)
    if (!used.count(k) && !IsPredefinedArg(k) && k != "SOURCE_DATE_EPOCH") list += (list.empty() ? "" : " ") + k;
  if (list.empty()) return std::nullopt;
  return "one or more build-args [" + list + "] were not consumed";
}

Result<Plan> PlanStage(const parser::Dockerfile& dockerfile, const BaseChoice& choice,
                       const oci::ImageConfig* base_config, const PlanOptions& options) {
  std::set<std::string> used;
  StageLinks links;
  links.used_args = &used;
  links.resolve_from = false;
  Plan plan = BUILDER_TRY(PlanStage(dockerfile, choice, base_config, options, links));
  if (auto warning = UnusedBuildArgsWarning(options, used)) plan.warnings.push_back(*warning);
  return plan;
}

Result<Plan> PlanStage(const parser::Dockerfile& dockerfile, const BaseChoice& choice,
                       const oci::ImageConfig* base_config, const PlanOptions& options,
                       const StageLinks& links) {
  const parser::Stage& stage = dockerfile.stages.at(choice.stage_index);
  std::set<std::string> local_used;
  StageState s;
  s.file = &dockerfile;
  s.options = &options;
  s.used_args = links.used_args ? links.used_args : &local_used;
  s.links = links.resolve_from ? &links : nullptr;
  std::set<std::string>& used = *s.used_args;
  s.lexer = parser::ShellLexer(parser::ShellLexOptions{.escape = dockerfile.directives.escape});
  // Heredoc bodies expand as a shell expands an unquoted heredoc: quotes are plain characters,
  // a backslash escapes ("\$X" stays "$X"), as BuildKit's ExpandRaw with SkipProcessQuotes.
  s.raw_lexer = parser::ShellLexer(parser::ShellLexOptions{.escape = '\\', .skip_process_quotes = true});
  s.meta_args = MetaArgs(dockerfile, options, &used);
  std::vector<parser::Instruction> triggers;
  std::vector<parser::Dockerfile> trigger_files;
  if (base_config) {
    s.config = base_config->config;
    s.author = base_config->author;
    for (const auto& expr : base_config->config.on_build) {
      auto ast = parser::ParseDockerfile("FROM scratch\n" + expr + "\n", "ONBUILD");
      if (!ast) return Fail(std::move(ast.error()).Context("parse ONBUILD trigger of the base image"));
      auto typed = parser::ParseInstructions(*ast);
      if (!typed) return Fail(std::move(typed.error()).Context("parse ONBUILD trigger of the base image"));
      for (auto& inst : typed->stages.at(0).instructions) triggers.push_back(std::move(inst));
    }
    s.config.on_build.clear();
  }
  IndexEnv(s);
  if (!HasEnv(s, "PATH")) {
    s.config.env.insert(s.config.env.begin(), "PATH=" + std::string(kDefaultPath));
    IndexEnv(s);
  }
  for (const auto& e : s.config.env) s.env.SetEntry(e);

  Plan plan;
  plan.base = choice.base;
  plan.stage_name = stage.name;
  auto run_one = [&](const parser::Instruction& inst) -> Result<void> {
    auto step = BUILDER_TRY(Dispatch(s, inst));
    if (!step) return {};
    step->range = parser::InstructionHeader(inst).range;
    plan.steps.push_back(std::move(*step));
    return {};
  };
  for (const auto& inst : triggers) BUILDER_TRY(run_one(inst));
  for (const auto& inst : stage.instructions) BUILDER_TRY(run_one(inst));
  if (links.is_target)
    for (const auto& [k, v] : options.labels) s.config.labels[k] = v;
  plan.final_config = s.config;
  plan.final_author = s.author;
  plan.file_index = choice.stage_index;
  return plan;
}

}  // namespace builder::planner
