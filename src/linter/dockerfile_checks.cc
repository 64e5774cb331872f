// The checks of BuildKit's dockerfile2llb (toDispatchState and the dispatch functions), run over
// typed instructions with ARG/ENV scoping simulated as BuildKit dispatches them.
#include "linter/dockerfile_checks.h"

#include <algorithm>
#include <cctype>
#include <span>
#include <string_view>

#include "base/path.h"
#include "oci/platform.h"
#include "oci/reference.h"
#include "parser/shell_lexer.h"
#include "parser/suggest.h"

namespace builder::linter {
namespace {

constexpr std::string_view kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr std::string_view kSecretTokens[] = {"apikey", "auth", "credential", "credentials", "key",
                                             "password", "pword", "passwd", "secret", "token"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

// The keyword as written: the first word of the instruction's text.
std::string Keyword(std::string_view original) {
  auto w = Words(original.substr(0, std::min<std::size_t>(original.size(), 64)));
  return w.empty() ? std::string() : w.front();
}

// The FROM line's words as BuildKit's parser hands them over: keyword, then the arguments
// after the flags (image [AS name]).
struct FromWords {
  std::string keyword;
  std::vector<std::string> args;
};
FromWords SplitFrom(std::string_view original) {
  FromWords out;
  auto words = Words(original);
  if (words.empty()) return out;
  out.keyword = words.front();
  std::size_t i = 1;
  while (i < words.size() && words[i].starts_with("--")) ++i;
  out.args.assign(words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
  return out;
}

// (?i)(?:_|^)(?:token)(?:_|$) for any secret token, unless "public" appears the same way.
bool HasToken(std::string_view key, std::span<const std::string_view> tokens) {
  std::string lower = Lower(key);
  std::size_t start = 0;
  while (true) {
    std::size_t us = lower.find('_', start);
    std::string_view part = std::string_view(lower).substr(start, us == std::string::npos ? us : us - start);
    for (std::string_view t : tokens)
      if (part == t) return true;
    if (us == std::string::npos) return false;
    start = us + 1;
  }
}
bool LooksSecret(std::string_view key) {
  constexpr std::string_view kAllow[] = {"public"};
  return HasToken(key, kSecretTokens) && !HasToken(key, kAllow);
}

bool IsSelfConsistent(std::string_view s) { return s == Lower(s) || s == Upper(s); }

struct Tracker {
  bool set = false;
  int start = 0, end = 0;
};

// One stage as BuildKit's dispatchState carries it.
struct StageState {
  parser::ShellEnv env;
  std::vector<std::string> build_args;  // keys of the ARGs declared so far (base stages' too)
  std::vector<std::string> shell;       // the image's Shell: SHELL or the base image's
  bool workdir_set = false;
};

class Checker {
 public:
  Checker(const CheckInput& input, Linter& lint)
      : in_(input), df_(*input.dockerfile), lint_(lint),
        lexer_(parser::ShellLexOptions{.escape = input.dockerfile->directives.escape}) {}

  Result<void> Run() {
    EmptyContinuations();
    ParseTimeRules();
    StageNames();
    CommandCasing();
    BuildGlobalArgs();
    DefaultArgBases();
    std::vector<std::string> bases = BUILDER_TRY(FromArguments());
    for (std::size_t i = 0; i < df_.stages.size(); ++i) {
      if (in_.stages && !in_.stages->count(i)) continue;
      BUILDER_TRY(Dispatch(i, bases[i]));
    }
    return {};
  }

 private:
  void Warn(const Rule& rule, const parser::SourceRange& r, std::string detail) {
    lint_.Run(rule, r.start.line, r.end.line, std::move(detail));
  }

  // The parser's empty-continuation warnings, located as BuildKit's: at the line where the
  // instruction ends.
  void EmptyContinuations() {
    std::vector<parser::SourceRange> ranges;
    for (const auto& a : df_.meta_args) ranges.push_back(a.range);
    for (const parser::Stage& st : df_.stages) {
      ranges.push_back(st.range);
      for (const auto& inst : st.instructions) ranges.push_back(parser::InstructionHeader(inst).range);
    }
    for (const parser::Warning& w : df_.warnings) {
      if (!w.message.starts_with("Empty continuation line")) continue;
      int line = w.pos.line;
      for (const auto& r : ranges)
        if (r.start.line <= w.pos.line && w.pos.line <= r.end.line) line = r.end.line;
      lint_.Run(kNoEmptyContinuation, line, line, NoEmptyContinuationMessage());
    }
  }

  // instructions.Parse: MAINTAINER, stage name casing and FROM/AS casing, in file order.
  void ParseTimeRules() {
    for (const parser::Stage& st : df_.stages) {
      FromWords from = SplitFrom(st.original);
      if (from.args.size() == 3 && from.args[2] != Lower(from.args[2]))
        Warn(kStageNameCasing, st.range, StageNameCasingMessage(from.args[2]));
      if (from.args.size() >= 3) {
        bool lower = from.keyword == Lower(from.keyword), upper = from.keyword == Upper(from.keyword);
        const std::string& as = from.args[1];
        bool match = !lower && !upper ? true : lower ? as == Lower(as) : as == Upper(as);
        if (!match) Warn(kFromAsCasing, st.range, FromAsCasingMessage(from.keyword, as));
      }
      for (const parser::Instruction& inst : st.instructions)
        if (std::holds_alternative<parser::MaintainerInst>(inst))
          Warn(kMaintainerDeprecated, parser::InstructionHeader(inst).range, MaintainerDeprecatedMessage());
    }
  }

  void StageNames() {
    std::set<std::string> seen;
    for (const parser::Stage& st : df_.stages) {
      if (st.name.empty()) continue;
      if (st.name == "context" || st.name == "scratch")
        Warn(kReservedStageName, st.range, ReservedStageNameMessage(st.name));
      if (!seen.insert(st.name).second) Warn(kDuplicateStageName, st.range, DuplicateStageNameMessage(st.name));
    }
  }

  void CommandCasing() {
    int lower = 0, upper = 0;
    auto count = [&](const std::string& k) {
      if (!IsSelfConsistent(k)) return;
      (k == Lower(k) ? lower : upper)++;
    };
    for (const parser::Stage& st : df_.stages) {
      count(Keyword(st.original));
      for (const auto& inst : st.instructions) count(Keyword(parser::InstructionHeader(inst).original));
    }
    const bool majority_lower = lower > upper;
    auto check = [&](const std::string& k, const parser::SourceRange& r) {
      std::string casing;
      if (majority_lower && Lower(k) != k) casing = "lowercase";
      else if (!majority_lower && Upper(k) != k) casing = "uppercase";
      if (!casing.empty()) Warn(kConsistentInstructionCasing, r, ConsistentInstructionCasingMessage(k, casing));
    };
    for (const parser::Stage& st : df_.stages) {
      check(Keyword(st.original), st.range);
      for (const auto& inst : st.instructions) {
        const auto& h = parser::InstructionHeader(inst);
        check(Keyword(h.original), h.range);
      }
    }
  }

  // defaultArgs (the platform ARGs) plus the meta ARGs, as buildMetaArgs: a build arg wins over
  // the default, defaults expand with what is set so far.
  parser::ShellEnv MetaArgs(bool with_build_args) {
    parser::ShellEnv env;
    oci::Platform host = oci::Platform::Host();
    for (const char* p : {"BUILD", "TARGET"}) {
      std::string pre = p;
      env.Set(pre + "PLATFORM", host.ToString());
      env.Set(pre + "OS", host.os);
      env.Set(pre + "ARCH", host.architecture);
      env.Set(pre + "VARIANT", host.variant);
    }
    for (const parser::ArgInst& arg : df_.meta_args) {
      for (const parser::ArgDecl& d : arg.args) {
        auto given = with_build_args ? in_.build_args.find(d.key) : in_.build_args.end();
        if (given != in_.build_args.end()) {
          env.Set(d.key, given->second);
        } else if (d.value) {
          auto r = lexer_.ProcessWord(*d.value, env);
          if (r) env.Set(d.key, r->word);
        }
      }
    }
    return env;
  }

  void BuildGlobalArgs() {
    global_ = MetaArgs(true);
    for (const parser::ArgInst& arg : df_.meta_args)
      for (const parser::ArgDecl& d : arg.args) declared_meta_.insert(d.key);
  }

  void DefaultArgBases() {
    parser::ShellEnv defaults = MetaArgs(false);
    for (const parser::Stage& st : df_.stages) {
      auto r = lexer_.ProcessWord(st.base, defaults);
      if (!r) return;  // the build fails on it later with its own error
      if (!oci::Reference::ParseDockerRef(r->word))
        Warn(kInvalidDefaultArgInFrom, st.range, InvalidDefaultArgInFromMessage(st.base));
    }
  }

  void ReportUndeclaredFromArgs(const std::set<std::string>& unmatched, const parser::SourceRange& r) {
    std::vector<std::string> keys(declared_meta_.begin(), declared_meta_.end());
    for (const auto& [k, v] : global_.entries())
      if (!declared_meta_.count(k)) keys.push_back(k);
    std::vector<std::string_view> options(keys.begin(), keys.end());
    for (const std::string& arg : unmatched) {
      if (std::find(keys.begin(), keys.end(), arg) != keys.end()) continue;
      auto s = parser::Suggest(arg, options, true);
      Warn(kUndefinedArgInFrom, r, UndefinedArgInFromMessage(arg, s.value_or("")));
    }
  }

  Error AtStage(const parser::Stage& st, std::string message) const {
    return Error::AtSource({df_.file, st.range.start.line, st.range.start.col, ""}, std::move(message));
  }

  // wrapSuggestAny: " (did you mean X?)" for the first unset name close to a global ARG.
  std::string GlobalSuggestion(const std::set<std::string>& unmatched) const {
    std::vector<std::string_view> options;
    for (const auto& [k, v] : global_.entries()) options.push_back(k);
    for (const std::string& name : unmatched)
      if (auto sg = parser::Suggest(name, options, true)) return " (did you mean " + *sg + "?)";
    return "";
  }

  // Every stage's FROM: its base and --platform expanded with the global ARGs. An empty base
  // stops the checks here, as it stops BuildKit before any stage is dispatched.
  Result<std::vector<std::string>> FromArguments() {
    std::vector<std::string> bases;
    for (const parser::Stage& st : df_.stages) {
      auto r = lexer_.ProcessWord(st.base, global_);
      if (r) ReportUndeclaredFromArgs(r->unmatched, st.range);
      if (r && r->word.empty()) return Fail(AtStage(st, "base name (" + st.base + ") should not be blank"));
      bases.push_back(r ? r->word : st.base);
      if (!st.platform) continue;
      auto p = lexer_.ProcessWord(*st.platform, global_);
      if (!p) continue;
      ReportUndeclaredFromArgs(p->unmatched, st.range);
      if (p->word.empty())
        return Fail(AtStage(st, "empty platform value from expression " + *st.platform + GlobalSuggestion(p->unmatched)));
      if (p->matched.size() == 1 && p->unmatched.empty() && p->matched.count("TARGETPLATFORM") &&
          global_.Get("TARGETPLATFORM").value_or("") == p->word)
        Warn(kRedundantTargetPlatform, st.range, RedundantTargetPlatformMessage(*st.platform));
      if (auto parsed = oci::Platform::Parse(p->word); !parsed)
        return Fail(AtStage(st, "failed to parse platform " + *st.platform + ": " + parsed.error().message() +
                                    GlobalSuggestion(p->unmatched)));
      if (p->matched.empty() && p->unmatched.empty()) {
        auto plat = oci::Platform::Parse(p->word);
        if (plat && st.name.find(plat->os) == std::string::npos &&
            st.name.find(plat->architecture) == std::string::npos)
          Warn(kFromPlatformFlagConstDisallowed, st.range, FromPlatformFlagConstDisallowedMessage(p->word));
      }
    }
    return bases;
  }

  // The state a stage starts from: an earlier stage's, or the image's Env (PATH always set).
  Result<StageState> Initial(const std::string& base) {
    for (std::size_t j = 0; j < done_.size(); ++j) {
      if (!df_.stages[j].name.empty() && df_.stages[j].name == Lower(base) && done_[j]) return *done_[j];
    }
    StageState s;
    if (Lower(base) != "scratch" && in_.resolve_base) {
      auto info = BUILDER_TRY(in_.resolve_base(base));
      if (info) {
        s.env = parser::ShellEnv::FromEntries(info->env);
        s.shell = info->shell;
      }
    }
    if (!s.env.Get("PATH")) s.env.Set("PATH", kDefaultPath);
    return s;
  }

  // reportUnmatchedVariables: names neither set nor declared as ARG in the stage.
  void ReportUnmatched(const StageState& s, const std::set<std::string>& unmatched, const parser::SourceRange& r) {
    std::vector<std::string_view> options;
    for (const auto& [k, v] : s.env.entries()) options.push_back(k);
    for (const std::string& name : unmatched) {
      if (std::find(s.build_args.begin(), s.build_args.end(), name) != s.build_args.end()) continue;
      if (name == "BUILDKIT_SBOM_SCAN_CONTEXT" || name == "BUILDKIT_SBOM_SCAN_STAGE") continue;
      auto sg = parser::Suggest(name, options, true);
      Warn(kUndefinedVar, r, UndefinedVarMessage(name, sg.value_or("")));
    }
  }

  // One word of an instruction expanded with the stage's variables.
  std::string Expand(StageState& s, const std::string& word, const parser::SourceRange& r) {
    auto e = lexer_.ProcessWord(word, s.env);
    if (!e) return word;
    ReportUnmatched(s, e->unmatched, r);
    return e->word;
  }

  void UsedOnce(Tracker& t, const std::string& name, const parser::SourceRange& r) {
    if (t.set)
      lint_.Run(kMultipleInstructionsDisallowed, t.start, t.end, MultipleInstructionsDisallowedMessage(name));
    t = {true, r.start.line, r.end.line};
  }

  void Copy(StageState& s, const parser::CopyBase& c, bool add, bool from_context) {
    // SourcesAndDest, --chown and --chmod are expanded before dispatch.
    std::vector<std::string> sources;
    for (const auto& src : c.sources) sources.push_back(Expand(s, src, c.range));
    Expand(s, c.dest, c.range);
    if (!c.chown.empty()) Expand(s, c.chown, c.range);
    if (!c.chmod.empty()) Expand(s, c.chmod, c.range);
    for (const auto& doc : c.heredocs)
      if (doc.expand) Expand(s, doc.content, c.range);  // `COPY <<EOF` bodies expand too
    if (!from_context || !in_.ignored) return;
    for (const std::string& src : sources) {
      if (add && (src.starts_with("http://") || src.starts_with("https://") || src.starts_with("git@"))) continue;
      std::string path = CleanPath(src);  // filepath.Clean: a leading '/' stays (and so never matches)
      if (in_.ignored(path)) lint_.Run(kCopyIgnoredFile, c.range.start.line, c.range.end.line,
                                       CopyIgnoredFileMessage(add ? "Add" : "Copy", path));
    }
  }

  Result<void> Dispatch(std::size_t index, const std::string& base) {
    const parser::Stage& st = df_.stages[index];
    StageState s = BUILDER_TRY(Initial(base));
    Tracker cmd, entrypoint, healthcheck;
    for (const parser::Instruction& inst : st.instructions) {
      const auto& h = parser::InstructionHeader(inst);
      const std::string name = Keyword(h.original);
      const parser::SourceRange& r = h.range;
      if (const auto* env = std::get_if<parser::EnvInst>(&inst)) {
        // Every word is expanded before any is set: `ENV A=1 B=$A` reads the old A.
        std::vector<std::pair<std::string, std::string>> vars;
        for (const auto& kv : env->vars) vars.emplace_back(Expand(s, kv.key, r), Expand(s, kv.value, r));
        for (const auto& [key, value] : vars) {
          if (env->legacy_form) Warn(kLegacyKeyValueFormat, r, LegacyKeyValueFormatMessage(name));
          if (LooksSecret(key)) Warn(kSecretsUsedInArgOrEnv, r, SecretsUsedInArgOrEnvMessage("ENV", key));
          s.env.Set(key, value);
        }
      } else if (const auto* label = std::get_if<parser::LabelInst>(&inst)) {
        for (const auto& kv : label->labels) {
          Expand(s, kv.key, r);
          Expand(s, kv.value, r);
        }
        for (std::size_t k = 0; k < label->labels.size(); ++k)
          if (label->legacy_form) Warn(kLegacyKeyValueFormat, r, LegacyKeyValueFormatMessage(name));
      } else if (const auto* arg = std::get_if<parser::ArgInst>(&inst)) {
        for (const auto& d : arg->args) {
          if (LooksSecret(d.key)) Warn(kSecretsUsedInArgOrEnv, r, SecretsUsedInArgOrEnvMessage("ARG", d.key));
          std::optional<std::string> value;
          auto given = in_.build_args.find(d.key);
          if (given != in_.build_args.end()) {
            value = given->second;
          } else if (d.value) {
            value = Expand(s, *d.value, r);
          } else if (auto g = global_.Get(d.key)) {
            value = std::string(*g);
          }
          if (value && d.key != "BUILDKIT_SBOM_SCAN_CONTEXT" && d.key != "BUILDKIT_SBOM_SCAN_STAGE")
            s.env.Set(d.key, *value);
          s.build_args.push_back(d.key);
        }
      } else if (const auto* wd = std::get_if<parser::WorkdirInst>(&inst)) {
        std::string path = Expand(s, wd->path, r);
        if (!s.workdir_set && !path.starts_with("/"))
          Warn(kWorkdirRelativePath, r, WorkdirRelativePathMessage(path));
        s.workdir_set = true;
      } else if (const auto* user = std::get_if<parser::UserInst>(&inst)) {
        Expand(s, user->user, r);
      } else if (const auto* vol = std::get_if<parser::VolumeInst>(&inst)) {
        for (const auto& v : vol->volumes) Expand(s, v, r);
      } else if (const auto* sig = std::get_if<parser::StopsignalInst>(&inst)) {
        Expand(s, sig->signal, r);
      } else if (const auto* copy = std::get_if<parser::CopyInst>(&inst)) {
        Copy(s, *copy, false, copy->from.empty());
      } else if (const auto* add = std::get_if<parser::AddInst>(&inst)) {
        Copy(s, *add, true, true);
      } else if (const auto* c = std::get_if<parser::CmdInst>(&inst)) {
        UsedOnce(cmd, name, r);
        if (!c->command.exec_form && s.shell.empty())
          Warn(kJSONArgsRecommended, r, JSONArgsRecommendedMessage(name));
      } else if (const auto* e = std::get_if<parser::EntrypointInst>(&inst)) {
        UsedOnce(entrypoint, name, r);
        if (!e->command.exec_form && s.shell.empty())
          Warn(kJSONArgsRecommended, r, JSONArgsRecommendedMessage(name));
      } else if (std::holds_alternative<parser::HealthcheckInst>(inst)) {
        UsedOnce(healthcheck, name, r);
      } else if (const auto* sh = std::get_if<parser::ShellInst>(&inst)) {
        s.shell = sh->shell;
      }
    }
    if (done_.size() <= index) done_.resize(index + 1);
    done_[index] = std::move(s);
    return {};
  }

  const CheckInput& in_;
  const parser::Dockerfile& df_;
  Linter& lint_;
  parser::ShellLexer lexer_;
  parser::ShellEnv global_;
  std::set<std::string> declared_meta_;
  std::vector<std::optional<StageState>> done_;
};

}  // namespace

Result<void> CheckDockerfile(const CheckInput& input, Linter& linter) {
  if (!input.dockerfile) return Fail(ErrorCode::kInvalidArgument, "no Dockerfile to check");
  Checker checker(input, linter);
  return checker.Run();
}

}  // namespace builder::linter
