// The typed steps a stage becomes: what the executor runs, with every word already expanded.
#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "oci/image_config.h"
#include "base/source_range.h"

namespace builder::planner {

/// A file the executor writes before a RUN and bind-mounts read-only at `path` (BuildKit runs
/// a heredoc that starts with "#!" as a script from /dev/pipes/).
struct RunFile {
  std::string path;  ///< absolute, inside the container
  std::string content;
  unsigned mode = 0755;
};

/// A RUN --mount, expanded. Bind sources come from the context, a stage or an image. Secret and
/// ssh mounts carry only ids: their values come from the build's --secret/--ssh at run time and
/// never enter a step (nor so its cache key).
struct RunMount {
  std::string type;    ///< bind, cache, tmpfs, secret, ssh
  std::string target;  ///< absolute path in the container ("" for a secret exposed by env only)
  std::string source;  ///< bind: path in the source ("" = its root); cache: path in from
  int from_stage = -1;     ///< bind/cache from a stage (index into BuildPlan::stages)
  std::string from_image;  ///< bind/cache from an image
  std::string from_dir;         ///< bind from a named local context (--build-context NAME=DIR)
  std::string from_dir_digest;  ///< its content digest: the mount's cache input
  bool read_only = true;
  std::string cache_id;  ///< cache: id, defaulting to the target
  unsigned mode = 0755;  ///< cache: mode of a new cache dir; secret: 0400, ssh: 0600 by default
  unsigned uid = 0, gid = 0;
  std::string secret_id;   ///< secret/ssh: the --secret/--ssh id ("default" for ssh)
  std::string secret_env;  ///< secret: also (or only) this environment variable of the RUN
  bool required = false;   ///< secret/ssh: a missing one fails the step instead of being skipped
};

/// RUN: one process in the sandbox over the previous layers.
struct RunStep {
  std::vector<std::string> argv;  ///< already wrapped in SHELL for the shell form
  std::vector<std::string> env;   ///< "K=V": image env plus the ARGs in scope
  std::string cwd = "/";          ///< absolute; created when missing
  std::string user;               ///< "name[:group]" or numeric, as USER gave it; "" is root
  std::string network = "default";  ///< default, none, host
  std::vector<RunFile> files;
  std::vector<RunMount> mounts;
};

/// A COPY/ADD source given inline as a heredoc.
struct InlineFile {
  std::string name;
  std::string content;
};

/// COPY and ADD from the build context.
struct CopyStep {
  bool add = false;
  std::vector<std::string> sources;  ///< context paths (may hold wildcards) or, for ADD, URLs
  std::vector<InlineFile> inline_files;
  std::string dest;      ///< absolute; a trailing '/' (or "/.") kept: it means "a directory"
  std::string chown;     ///< "" (root) or user[:group]
  std::string chmod;     ///< "" or a validated octal/symbolic mode
  std::vector<std::string> excludes;
  bool parents = false;
  std::string checksum;  ///< ADD --checksum
  bool unpack = true;    ///< ADD: extract local archives
  int from_stage = -1;     ///< COPY --from=<stage>: index into BuildPlan::stages
  std::string from_image;  ///< COPY --from=<image>: an image reference
  std::string from_dir;         ///< COPY --from=<named local context>: its absolute path
  std::string from_dir_digest;  ///< its content digest: the step's cache input
  /// --link: the layer is made over an empty tree and keyed without the layers beneath, so a
  /// new base reuses it (the image is rebased, the copy does not run again).
  bool link = false;
};

/// WORKDIR: the directory is created (BuildKit does this as a file operation with a layer).
struct MkdirStep {
  std::string path;  ///< absolute
  std::string user;  ///< USER in effect: BuildKit creates the dir owned by it
};

/// Metadata only (ENV, LABEL, CMD, ...): no layer, the config changes.
struct ConfigStep {};

using StepAction = std::variant<ConfigStep, RunStep, CopyStep, MkdirStep>;

/// One instruction of the built stage, planned.
struct Step {
  std::string name;        ///< progress text: "RUN echo hi"
  std::string created_by;  ///< the history entry's created_by
  StepAction action;
  // No copy of the image config per step: with thousands of ENV/LABEL lines that was quadratic
  // (20,000 ENV lines: 6.3 GB). The stage's config is Plan::final_config.
  SourceRange range;
  /// The canonical, fully expanded description used in cache keys (never the raw text). Build
  /// arg values are masked in it (names only); they are in `args` so a miss can name them.
  std::string canonical;
  /// Build args this step sees (RUN: all in scope), name -> value.
  std::map<std::string, std::string> args;
};

/// A stage ready to run.
struct Plan {
  std::string base;  ///< expanded FROM: "scratch", an image reference or an earlier stage's name
  int base_stage = -1;  ///< FROM an earlier stage: its index in BuildPlan::stages
  std::size_t file_index = 0;  ///< the stage's position in the Dockerfile
  std::string stage_name;
  oci::Platform platform;  ///< what the stage is built for (FROM --platform, --platform, host)
  std::vector<Step> steps;
  oci::ContainerConfig final_config;  ///< the image config after every step and --label
  std::string final_author;
  std::vector<std::string> warnings;  ///< e.g. unused build args
};

/// Every stage the target needs, in an order where each stage comes after those it uses; the
/// last one is the target.
struct BuildPlan {
  std::vector<Plan> stages;
  std::vector<std::string> warnings;
};

/// True for steps that run something (and are numbered in progress output).
inline bool IsExecStep(const Step& step) {
  return !std::holds_alternative<ConfigStep>(step.action);
}

}  // namespace builder::planner
