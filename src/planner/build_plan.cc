// Multi-stage planning: which stages the target needs (FROM <stage>, COPY --from), in order.
#include <algorithm>
#include <set>

#include "planner/planner.h"
#include "planner/step_text.h"

namespace builder::planner {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

// The earlier stage a name or index refers to, or -1 for an image.
int StageRef(const parser::Dockerfile& file, std::size_t current, const std::string& ref,
             bool allow_index) {
  if (allow_index && !ref.empty() && ref.size() < 7 && std::all_of(ref.begin(), ref.end(), ::isdigit)) {
    std::size_t n = std::stoul(ref);
    return n < current ? static_cast<int>(n) : -1;
  }
  std::string lowered = Lower(ref);
  int found = -1;
  for (std::size_t j = 0; j < current; ++j)
    if (!file.stages[j].name.empty() && file.stages[j].name == lowered) found = static_cast<int>(j);
  return found;
}

// The first step of a stage built FROM a named local context: its files as the stage's first
// layer (BuildKit's local source as the rootfs), keyed by the directory's content.
Step LoadContextStep(const std::string& name, const NamedContext& context) {
  CopyStep copy;
  copy.sources = {"/"};
  copy.dest = "/";
  copy.from_dir = context.dir;
  copy.from_dir_digest = context.dir_digest;
  Step step;
  step.name = "[context " + name + "] load from client";
  step.created_by = "FROM " + name + " (build context)";
  step.canonical = CanonicalCopy(copy);
  step.action = std::move(copy);
  return step;
}

}  // namespace

Result<BuildPlan> PlanBuild(const parser::Dockerfile& dockerfile, const PlanOptions& options,
                            const BaseResolver& resolve) {
  return PlanBuild(dockerfile, options,
                   PlatformBaseResolver([&resolve](const std::string& image, const oci::Platform&) {
                     return resolve(image);
                   }));
}

Result<BuildPlan> PlanBuild(const parser::Dockerfile& dockerfile, const PlanOptions& options,
                            const PlatformBaseResolver& resolve) {
  const oci::Platform target_platform =
      (options.platform ? *options.platform : oci::Platform::Host()).Normalized();
  BaseChoice target = BUILDER_TRY(ChooseBase(dockerfile, options, /*allow_stage_base=*/true));
  std::set<std::string> used;
  parser::ShellEnv meta = MetaArgEnv(dockerfile, options, &used);
  parser::ShellLexer lexer(parser::ShellLexOptions{.escape = dockerfile.directives.escape});
  const std::size_t n = dockerfile.stages.size();

  // Each stage's expanded base and the earlier stages it uses.
  std::vector<std::string> bases(n);
  std::vector<int> base_stage(n, -1);
  std::vector<std::set<std::size_t>> deps(n);
  std::vector<const NamedContext*> base_context(n, nullptr);
  // A stage whose name is a named context is replaced by it: references to it go to the
  // context (by name, through FindNamedContext), and it is never planned for them.
  auto ref_to = [&](std::size_t i, const std::string& ref, bool allow_index) {
    int found = StageRef(dockerfile, i, ref, allow_index);
    if (found >= 0 && FindNamedContext(options.named_contexts, dockerfile.stages[static_cast<std::size_t>(found)].name))
      return -1;
    return found;
  };
  for (std::size_t i = 0; i <= target.stage_index; ++i) {
    const parser::Stage& stage = dockerfile.stages[i];
    auto base = lexer.ProcessWord(stage.base, meta);
    bases[i] = base ? base->word : stage.base;
    base_stage[i] = ref_to(i, bases[i], false);
    if (base_stage[i] >= 0) deps[i].insert(static_cast<std::size_t>(base_stage[i]));
    else if (const NamedContext* named = FindNamedContext(options.named_contexts, bases[i])) {
      base_context[i] = named;
      if (named->dir.empty()) bases[i] = named->image;
    }
    for (const auto& inst : stage.instructions) {
      if (const auto* run = std::get_if<parser::RunInst>(&inst)) {
        for (const auto& m : run->mounts) {
          int ref = m.from.empty() ? -1 : ref_to(i, m.from, true);
          if (ref >= 0) deps[i].insert(static_cast<std::size_t>(ref));
        }
      }
      const auto* copy = std::get_if<parser::CopyInst>(&inst);
      if (!copy || copy->from.empty()) continue;
      auto from = lexer.ProcessWord(copy->from, meta);
      int ref = ref_to(i, from ? from->word : copy->from, true);
      if (ref >= 0) deps[i].insert(static_cast<std::size_t>(ref));
    }
  }
  std::vector<bool> needed(n, false);
  std::vector<std::size_t> todo = {target.stage_index};
  while (!todo.empty()) {
    std::size_t i = todo.back();
    todo.pop_back();
    if (needed[i]) continue;
    needed[i] = true;
    for (std::size_t d : deps[i]) todo.push_back(d);
  }

  BuildPlan out;
  std::vector<int> plan_index(n, -1);
  std::vector<oci::Platform> platforms(n);
  for (std::size_t i = 0; i <= target.stage_index; ++i) {
    if (!needed[i]) continue;
    StageLinks links;
    links.by_index.assign(i, -1);
    for (std::size_t j = 0; j < i; ++j) {
      links.by_index[j] = plan_index[j];
      if (plan_index[j] >= 0 && !dockerfile.stages[j].name.empty())
        links.by_name[dockerfile.stages[j].name] = plan_index[j];
    }
    links.is_target = i == target.stage_index;
    links.used_args = &used;
    const bool from_dir = base_context[i] && !base_context[i]->dir.empty();
    BaseChoice choice{i, from_dir ? std::string("scratch") : bases[i]};
    // FROM --platform wins; a stage built on another inherits its platform, as BuildKit.
    const parser::Stage& stage = dockerfile.stages[i];
    if (stage.platform) {
      auto word = lexer.ProcessWord(*stage.platform, meta);
      auto parsed = word ? oci::Platform::Parse(word->word) : Result<oci::Platform>(Fail(std::move(word.error())));
      if (!parsed)
        return Fail(Error::AtSource({dockerfile.file, stage.range.start.line, stage.range.start.col, ""},
                                    "FROM --platform=" + *stage.platform + ": " + parsed.error().message()));
      platforms[i] = parsed->Normalized();
    } else if (base_stage[i] >= 0) {
      platforms[i] = platforms[static_cast<std::size_t>(base_stage[i])];
    } else {
      platforms[i] = target_platform;
    }
    std::optional<oci::ImageConfig> config;
    int base_plan = base_stage[i] >= 0 ? plan_index[static_cast<std::size_t>(base_stage[i])] : -1;
    if (base_plan >= 0) {
      const Plan& parent = out.stages[static_cast<std::size_t>(base_plan)];
      oci::ImageConfig inherited;
      inherited.config = parent.final_config;
      inherited.author = parent.final_author;
      config = inherited;
    } else if (!from_dir) {
      if (bases[i].empty())
        return Fail(Error::AtSource({dockerfile.file, dockerfile.stages[i].range.start.line,
                                     dockerfile.stages[i].range.start.col, ""},
                                    "base name (" + dockerfile.stages[i].base + ") should not be blank"));
      config = BUILDER_TRY(resolve(bases[i], platforms[i]));
    }
    Plan plan = BUILDER_TRY(PlanStage(dockerfile, choice, config ? &*config : nullptr, options, links));
    plan.base_stage = base_plan;
    if (from_dir) plan.steps.insert(plan.steps.begin(), LoadContextStep(bases[i], *base_context[i]));
    if (plan.stage_name.empty()) plan.stage_name = "stage-" + std::to_string(i);
    plan.platform = platforms[i];
    plan_index[i] = static_cast<int>(out.stages.size());
    out.stages.push_back(std::move(plan));
  }
  if (auto warning = UnusedBuildArgsWarning(options, used)) out.warnings.push_back(*warning);
  return out;
}

}  // namespace builder::planner
