// `builder build [-f FILE] [-t NAME:TAG]... CONTEXT`: docker build's flags, argument parsing and
// printing only; the planner and executor do the work.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "base/staging_lease.h"
#include "base/path.h"
#include "build_checks.h"
#include "build_output.h"
#include "commands.h"
#include "cache/cache_spec.h"
#include "executor/archive_extract.h"
#include "executor/cache_exchange.h"
#include "executor/executor.h"
#include "executor/foreign_arch.h"
#include "executor/named_contexts.h"
#include "filespec/pattern_matcher.h"
#include "linter/lint_report.h"
#include "base/file_lock.h"
#include "oci/annotations.h"
#include "oci/image_index.h"
#include "oci/image_store.h"
#include "oci/remove_tree.h"
#include "parser/ast.h"
#include "filespec/ignore_file.h"
#include "parser/instructions.h"
#include "planner/build_flags.h"
#include "planner/planner.h"
#include "registry/curl_transport.h"
#include "registry/image_pusher.h"
#include "runner/build_network.h"
#include "source_date_epoch.h"

namespace builder::cli {
namespace {

struct BuildFlags {
  std::string file;
  std::vector<std::string> tags;
  std::vector<std::string> build_args;
  std::vector<std::string> labels;
  bool no_cache = false;
  std::string network = "default";
  std::string progress = "auto";
  std::string iidfile;
  std::string compression = "gzip";
  std::string target;
  bool explain = false;
  bool pull = false;
  bool quiet = false;
  bool push = false;
  bool check = false;
  std::vector<std::string> insecure;
  std::vector<std::string> cache_from;
  std::vector<std::string> cache_to;
  std::vector<std::string> secrets;
  std::vector<std::string> ssh;
  std::vector<std::string> build_contexts;
  std::vector<std::string> outputs;
  std::string metadata_file;
  std::vector<std::string> platforms;  ///< --platform, each may hold a comma-separated list
  std::string context;
  int jobs = 0;  ///< --jobs; 0: the number of cores
};

Result<std::string> ReadDockerfile(const std::string& path) {
  if (path == "-") {
    std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return all;
  }
  return ReadFile(path);
}

// A context read from stdin, unpacked in the store's tmp/ and removed afterwards.
class StdinContext {
 public:
  ~StdinContext() {
    if (!dir_.empty()) (void)oci::RemoveTree(dir_);
  }
  /// Reads stdin: a tar (plain or compressed) becomes the context; anything else is the
  /// Dockerfile itself, with an empty context (docker build - < Dockerfile).
  Result<void> Load(const std::string& tmp) {
    std::string templ = BUILDER_TRY(StagingTemplate(tmp, "context"));
    if (!mkdtemp(templ.data())) return FailErrno("mkdtemp " + templ, errno);
    dir_ = templ;
    context_ = dir_ + "/context";
    BUILDER_TRY(MakeDirs(context_));
    std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::string file = dir_ + "/stdin";
    BUILDER_TRY(WriteFileAtomic(file, input));
    if (BUILDER_TRY(executor::IsArchive(file))) {
      BUILDER_TRY(executor::ExtractArchive(file, context_, false, 0, 0));
    } else {
      dockerfile_ = std::move(input);
    }
    return {};
  }
  const std::string& context() const { return context_; }
  const std::optional<std::string>& dockerfile() const { return dockerfile_; }

 private:
  std::string dir_, context_;
  std::optional<std::string> dockerfile_;
};

// --platform values ("linux/amd64,linux/arm64", repeatable), parsed, normalized, deduplicated.
Result<std::vector<oci::Platform>> ParsePlatforms(const std::vector<std::string>& values) {
  std::vector<oci::Platform> out;
  for (const std::string& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t comma = std::min(value.find(',', start), value.size());
      std::string one = value.substr(start, comma - start);
      start = comma + 1;
      if (one.empty()) continue;
      auto parsed = oci::Platform::Parse(one);
      if (!parsed) return Fail(std::move(parsed.error()).Context("--platform " + one));
      oci::Platform p = parsed->Normalized();
      if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
    }
  }
  return out;
}

Result<int> RunBuild(const BuildFlags& flags) {
  ApplyInsecureRegistries(flags.insecure);
  std::string root = BUILDER_TRY(oci::ImageStore::DefaultRoot());
  oci::ImageStore store = BUILDER_TRY(oci::ImageStore::Open(root));
  std::string context = flags.context;
  StdinContext stdin_context;
  std::optional<std::string> stdin_dockerfile;
  if (context == "-") {
    if (flags.file == "-")
      return Fail(ErrorCode::kInvalidArgument, "the Dockerfile and the context cannot both come from stdin");
    BUILDER_TRY(stdin_context.Load(store.blobs().TmpDir()));
    context = stdin_context.context();
    stdin_dockerfile = stdin_context.dockerfile();
  }
  std::string dockerfile_path = flags.file.empty() ? JoinPath(context, "Dockerfile")
                                : flags.context == "-" ? JoinPath(context, flags.file)
                                                       : flags.file;
  auto text = stdin_dockerfile ? Result<std::string>(*stdin_dockerfile) : ReadDockerfile(dockerfile_path);
  if (!text) return Fail(std::move(text.error()).Context("read Dockerfile"));
  auto ast = BUILDER_TRY(parser::ParseDockerfile(*text, dockerfile_path));
  auto dockerfile = BUILDER_TRY(parser::ParseInstructions(ast));

  planner::PlanOptions plan_options;
  plan_options.target = flags.target;
  plan_options.named_contexts = BUILDER_TRY(executor::ResolveNamedContexts(store, flags.build_contexts));
  for (const auto& arg : flags.build_args)
    planner::AddBuildArgFlag(arg, plan_options.build_args, planner::ProcessEnv);
  for (const auto& label : flags.labels) planner::AddLabelFlag(label, plan_options.labels);
  std::vector<oci::Reference> tags;
  for (const auto& t : flags.tags) tags.push_back(BUILDER_TRY(oci::ParseTagReference(t)));
  std::vector<cache::CacheSpec> cache_from, cache_to;
  for (const auto& v : flags.cache_from) cache_from.push_back(BUILDER_TRY(cache::ParseCacheFrom(v)));
  for (const auto& v : flags.cache_to) cache_to.push_back(BUILDER_TRY(cache::ParseCacheTo(v)));
  BUILDER_TRY(executor::CheckCacheExports(cache_to));
  std::vector<OutputSpec> outputs;  // checked before anything runs
  for (const auto& v : flags.outputs) outputs.push_back(BUILDER_TRY(ParseOutputSpec(v)));

  executor::ReportFormat format = executor::ReportFormat::kPlain;
  if (flags.quiet) format = executor::ReportFormat::kQuiet;
  else if (flags.progress == "json") format = executor::ReportFormat::kJson;
  else if (flags.progress == "tty") format = executor::ReportFormat::kTty;
  else if (flags.progress == "auto") format = executor::AutoReportFormat(STDERR_FILENO);
  else if (flags.progress != "plain")
    return Fail(ErrorCode::kInvalidArgument, "unknown --progress mode " + flags.progress);
  auto reporter = executor::MakeBuildReporter(format, stderr);

  // Bases are resolved (and pulled) while planning: the planner needs their config (ENV,
  // ONBUILD) but does no I/O itself; the executor reuses what this source resolved.
  auto transport = registry::MakeCurlTransport();
  executor::ImageSource images(store, transport.get(), flags.pull, reporter.get());
  auto resolve = [&images](const std::string& name) -> Result<std::optional<oci::ImageConfig>> {
    auto image = BUILDER_TRY(images.Resolve(name, "base image"));
    if (!image) return std::optional<oci::ImageConfig>();
    return std::optional<oci::ImageConfig>(image->config);
  };
  auto resolve_for = [&images](const std::string& name,
                               const oci::Platform& platform) -> Result<std::optional<oci::ImageConfig>> {
    auto image = BUILDER_TRY(images.Resolve(name, "base image", &platform));
    if (!image) return std::optional<oci::ImageConfig>();
    return std::optional<oci::ImageConfig>(image->config);
  };
  const std::vector<oci::Platform> platforms = BUILDER_TRY(ParsePlatforms(flags.platforms));
  const bool multi = platforms.size() > 1;
  if (platforms.size() == 1) plan_options.platform = platforms[0];
  if (multi && (!outputs.empty() || !flags.metadata_file.empty() || !cache_to.empty()))
    return Fail(ErrorCode::kUnsupported,
                "--output, --metadata-file and --cache-to take one platform for now; "
                "a multi-platform build is stored (and pushed) as an image index");
  // The Dockerfile whose "<name>.dockerignore" may apply (none for the default name or stdin).
  const std::string ignore_for = flags.file.empty() || stdin_dockerfile ? "" : dockerfile_path;
  if (flags.check) {
    // BuildKit's checks only, nothing built; exit 1 when anything was found.
    // With --target only the stages it reaches are dispatched, as BuildKit's lint request.
    std::optional<std::set<std::size_t>> stages;
    if (!flags.target.empty()) {
      planner::BuildPlan plan = BUILDER_TRY(planner::PlanBuild(dockerfile, plan_options, resolve));
      stages.emplace();
      for (const auto& stage : plan.stages) stages->insert(stage.file_index);
    }
    auto checked = BUILDER_TRY(RunBuildChecks({.dockerfile = &dockerfile, .build_args = plan_options.build_args,
                                               .images = &images, .context = context,
                                               .dockerfile_for_ignore = ignore_for, .stages = stages}));
    reporter->Finish();
    std::string name = flags.file.empty() || flags.file == "-" ? "Dockerfile" : flags.file;
    const auto& findings = checked.lint.findings();
    if (!checked.stopped || !findings.empty())
      std::cout << linter::FormatCheckReport(findings, name, *text) << std::flush;
    if (checked.stopped) return Fail(std::move(*checked.stopped));
    BUILDER_TRY(checked.lint.Error());
    return findings.empty() ? 0 : 1;
  }
  if (multi) {
    plan_options.platform = platforms[0];
  }
  planner::BuildPlan plan = BUILDER_TRY(planner::PlanBuild(dockerfile, plan_options, resolve_for));
  for (const auto& w : plan.warnings) reporter->Note("WARNING: " + w);

  executor::ExecuteOptions options;
  executor::BuildSecrets secrets;  // agents it started die with it, after the build
  for (const auto& s : flags.secrets) BUILDER_TRY(secrets.AddSecret(s));
  for (const auto& s : flags.ssh) BUILDER_TRY(secrets.AddSsh(s));
  options.secrets = &secrets;
  options.context.dir = context;
  auto ignore_path = BUILDER_TRY(filespec::LocateIgnoreFile(context, ignore_for));
  if (ignore_path) {
    auto patterns = BUILDER_TRY(filespec::ReadIgnoreFile(*ignore_path));
    options.context.ignore = BUILDER_TRY(filespec::PatternMatcher::Create(patterns));
  }
  if (flags.compression == "zstd") options.compression = oci::Compression::kZstd;
  else if (flags.compression != "gzip")
    return Fail(ErrorCode::kInvalidArgument, "unknown --compression " + flags.compression);
  if (flags.network != "default" && flags.network != "none" && flags.network != "host")
    return Fail(ErrorCode::kInvalidArgument, "unknown --network " + flags.network);
  options.network = flags.network;
  // A RUN's default network: its own namespace with outbound access, not the host's.
  options.default_network = runner::BuildNetworkAttacher(root);
  options.tags = tags;
  options.no_cache = flags.no_cache;
  options.explain = flags.explain;
  options.reporter = reporter.get();
  options.jobs = static_cast<std::size_t>(flags.jobs);
  options.images = &images;
  options.source_date_epoch = BUILDER_TRY(SourceDateEpoch(plan_options.build_args));
  // The checks of the stages this build reaches; `# check=error=true` stops it before any step.
  std::set<std::size_t> reached;
  for (const auto& stage : plan.stages) reached.insert(stage.file_index);
  auto checked = BUILDER_TRY(RunBuildChecks({.dockerfile = &dockerfile,
                                             .build_args = plan_options.build_args,
                                             .images = &images,
                                             .context = context,
                                             .dockerfile_for_ignore = ignore_for,
                                             .stages = reached}));
  // The planner accepted this Dockerfile: a check that could not finish only costs warnings.
  if (checked.stopped) reporter->Note("warning: build checks incomplete: " + checked.stopped->ToString());
  BUILDER_TRY(checked.lint.Error());
  for (const auto& spec : cache_to) options.inline_cache |= spec.type == cache::CacheSpec::Type::kInline;
  executor::ImportBuildCaches(store, cache_from, *transport, *reporter);
  // Every -t, each to its own registry, after the whole build succeeded (an index with the
  // manifests it lists, for several platforms).
  auto push_tags = [&]() -> Result<void> {
    if (tags.empty()) return Fail(ErrorCode::kInvalidArgument, "--push needs at least one -t NAME:TAG");
    for (const oci::Reference& tag : tags) {
      oci::StoredImage image = BUILDER_TRY(store.Resolve(tag.String()));
      auto pushed = BUILDER_TRY(registry::PushImage(store, *transport, image.descriptor, tag));
      reporter->Note("pushed " + tag.String() + ": digest: " + pushed.digest.str() + " (" +
                     std::to_string(pushed.blobs_uploaded) + " blobs uploaded, " +
                     std::to_string(pushed.blobs_mounted) + " mounted, " + std::to_string(pushed.blobs_present) +
                     " already there)");
    }
    return {};
  };
  if (multi) {
    // One build per platform, each untagged; then one index over their manifests, tagged.
    options.tags.clear();
    FileLock gc_lock = BUILDER_TRY(store.LockBlobsShared());
    // Every platform planned (bases pulled) and checked before any builds: a missing qemu
    // handler fails first, not after the other platforms' work.
    std::vector<planner::BuildPlan> plans;
    plans.push_back(std::move(plan));
    for (std::size_t i = 1; i < platforms.size(); ++i) {
      plan_options.platform = platforms[i];
      plans.push_back(BUILDER_TRY(planner::PlanBuild(dockerfile, plan_options, resolve_for)));
    }
    for (std::size_t i = 0; i < platforms.size(); ++i) {
      auto can = executor::CheckPlanRuns(plans[i]);
      if (!can) return Fail(std::move(can.error()).Context("build for " + platforms[i].ToString()));
    }
    oci::ImageIndex index;
    for (std::size_t i = 0; i < platforms.size(); ++i) {
      options.step_label = platforms[i].ToString();
      auto one = executor::Execute(store, plans[i], options);
      if (!one) return Fail(std::move(one.error()).Context("build for " + platforms[i].ToString()));
      oci::Descriptor entry = one->manifest;
      entry.platform = BUILDER_TRY(store.Load(one->manifest)).config.platform();
      index.manifests.push_back(std::move(entry));
    }
    oci::Descriptor stored = BUILDER_TRY(store.blobs().Put(oci::kOciIndex, index.Serialize()));
    if (tags.empty()) BUILDER_TRY(store.AddUntagged(stored));
    for (const oci::Reference& tag : tags) BUILDER_TRY(store.Tag(stored, tag));
    // The per-platform manifests live on under the index: their untagged entries go (a tag
    // someone gave the same manifest stays).
    if (!tags.empty())
      BUILDER_TRY(store.UpdateIndex([&index](oci::ImageIndex& entries) -> Result<void> {
        std::erase_if(entries.manifests, [&index](const oci::Descriptor& e) {
          if (e.annotations.count(std::string(oci::kAnnotationRefName))) return false;
          return std::any_of(index.manifests.begin(), index.manifests.end(),
                             [&e](const oci::Descriptor& m) { return m.digest == e.digest; });
        });
        return {};
      }));
    if (flags.push) BUILDER_TRY(push_tags());
    if (format == executor::ReportFormat::kJson)
      for (const auto& f : checked.lint.findings())
        reporter->Note("WARNING: " + f.rule + ": " + f.detail + " (line " + std::to_string(f.start_line) + ")");
    reporter->Finish();
    if (format != executor::ReportFormat::kQuiet && format != executor::ReportFormat::kJson)
      std::fputs(linter::FormatBuildWarnings(checked.lint.findings()).c_str(), stderr);
    if (!flags.iidfile.empty()) BUILDER_TRY(WriteFileAtomic(flags.iidfile, stored.digest.str()));
    std::cout << stored.digest.str() << '\n';
    return 0;
  }
  auto outcome = BUILDER_TRY(executor::Execute(store, plan, options));
  BUILDER_TRY(executor::ExportBuildCaches(store, cache_to, outcome, *transport, *reporter));
  if (flags.push) BUILDER_TRY(push_tags());
  if (!outputs.empty() || !flags.metadata_file.empty()) {
    oci::StoredImage built = BUILDER_TRY(FindBuiltImage(store, outcome.manifest.digest));
    for (const OutputSpec& out : outputs) BUILDER_TRY(WriteOutput(store, built, tags, out));
    if (!flags.metadata_file.empty())
      BUILDER_TRY(WriteFileAtomic(flags.metadata_file, BuildMetadataJson(built, tags)));
  }
  // The check warnings: json streams them as notes, the other modes (but -q) after the view.
  if (format == executor::ReportFormat::kJson)
    for (const auto& f : checked.lint.findings())
      reporter->Note("WARNING: " + f.rule + ": " + f.detail + " (line " + std::to_string(f.start_line) + ")");
  reporter->Finish();  // the live view's last frame, before the id lands on the same terminal
  if (format != executor::ReportFormat::kQuiet && format != executor::ReportFormat::kJson)
    std::fputs(linter::FormatBuildWarnings(checked.lint.findings()).c_str(), stderr);
  if (!flags.iidfile.empty()) BUILDER_TRY(WriteFileAtomic(flags.iidfile, outcome.image_id.str()));
  // An archive on stdout owns it: the id goes to stderr then, or it would trail the archive.
  bool stdout_taken = std::any_of(outputs.begin(), outputs.end(), [](const OutputSpec& o) { return o.dest == "-"; });
  (stdout_taken ? std::cerr : std::cout) << outcome.image_id.str() << '\n';
  return 0;
}

}  // namespace

void RegisterBuild(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("build", "Build an image from a Dockerfile");
  static BuildFlags flags;
  cmd->add_option("-f,--file", flags.file, "Name of the Dockerfile (default: CONTEXT/Dockerfile)");
  cmd->add_option("-t,--tag", flags.tags, "Name and optionally a tag (name:tag)");
  cmd->add_option("--build-arg", flags.build_args, "Set build-time variables");
  cmd->add_option("--label", flags.labels, "Set metadata for an image");
  cmd->add_flag("--no-cache", flags.no_cache, "Do not use cache when building the image");
  cmd->add_option("--network", flags.network, "Networking mode for RUN: default, none, host");
  cmd->add_option("--progress", flags.progress, "auto (tty on a terminal, else plain), tty, plain, json");
  cmd->add_option("--iidfile", flags.iidfile, "Write the image ID to the file");
  cmd->add_option("--compression", flags.compression, "Layer compression: gzip or zstd");
  cmd->add_option("--target", flags.target, "Set the target build stage to build");
  cmd->add_flag("--explain", flags.explain, "Explain every cache miss");
  cmd->add_flag("--pull", flags.pull, "Always attempt to pull a newer version of the image");
  cmd->add_flag("-q,--quiet", flags.quiet, "Suppress the build output and print image ID on success");
  cmd->add_flag("--push", flags.push, "Push every -t to its registry after the build");
  cmd->add_flag("--check", flags.check, "Run BuildKit's build checks on the Dockerfile and exit without building");
  AddInsecureRegistryOption(cmd, &flags.insecure);
  cmd->add_option("--cache-from", flags.cache_from,
                  "Import build cache: type=registry,ref=REF, type=local,src=DIR, or an image REF");
  cmd->add_option("--cache-to", flags.cache_to,
                  "Export build cache: type=registry,ref=REF, type=local,dest=DIR (mode=min|max), type=inline");
  cmd->add_option("--secret", flags.secrets,
                  "Secret for RUN --mount=type=secret: id=ID[,src=FILE|env=VAR]");
  cmd->add_option("--ssh", flags.ssh,
                  "Agent socket or keys for RUN --mount=type=ssh: default|ID[=SOCKET|KEY[,KEY...]]");
  cmd->add_option("--build-context", flags.build_contexts,
                  "Additional build context: NAME=DIR|docker-image://REF|oci-layout://PATH[:TAG]");
  cmd->add_option("-o,--output", flags.outputs,
                  "Also write the result: type=oci|docker|tar,dest=FILE|-, type=local,dest=DIR, or DIR");
  cmd->add_option("--metadata-file", flags.metadata_file, "Write the build result metadata (JSON) to the file");
  cmd->add_option("--platform", flags.platforms,
                  "Target platforms (os/arch[/variant], comma-separated); several give an image index");
  cmd->add_option("--jobs", flags.jobs, "Stages run at most N at a time (default: the number of cores)")
      ->check(CLI::Range(0, 4096));
  cmd->add_option("CONTEXT", flags.context, "Build context directory")->required();
  cmd->callback([status] {
    auto r = RunBuild(flags);
    *status = r ? *r : ReportError(r.error());
  });
}

}  // namespace builder::cli
