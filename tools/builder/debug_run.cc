// `builder debug run IMAGE [CMD...]`: runs an image's entrypoint (or CMD) once in the sandbox
// over its snapshot, output to the terminal; a stand-in for the runner, used by tools/demo.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "base/path.h"
#include "commands.h"
#include "oci/merged_view.h"
#include "oci/user_db.h"
#include "oci/image_store.h"
#include "oci/remove_tree.h"
#include "oci/snapshot_store.h"
#include "sandbox/sandbox.h"

namespace builder::cli {
namespace {

Result<int> RunImage(const std::string& name, const std::vector<std::string>& cmd) {
  std::string root = BUILDER_TRY(oci::ImageStore::DefaultRoot());
  oci::ImageStore store = BUILDER_TRY(oci::ImageStore::Open(root));
  oci::StoredImage image = BUILDER_TRY(store.Resolve(name));
  std::string rootfs = BUILDER_TRY(oci::SnapshotStore(store).Prepare(image));
  const oci::ContainerConfig& config = image.config.config;
  std::vector<std::string> argv = config.entrypoint;
  const std::vector<std::string>& args = cmd.empty() ? config.cmd : cmd;
  argv.insert(argv.end(), args.begin(), args.end());
  if (argv.empty()) return Fail(ErrorCode::kInvalidArgument, "no command specified");
  oci::MergedView view({rootfs});
  oci::ResolvedUser user = BUILDER_TRY(oci::ResolveRunUser(view, config.user));

  std::string scratch = store.blobs().TmpDir() + "/run-XXXXXX";
  if (!mkdtemp(scratch.data())) return FailErrno("mkdtemp " + scratch, errno);
  sandbox::SandboxSpec spec;
  spec.lower_dirs = {rootfs};
  spec.upper_dir = scratch + "/upper";
  spec.work_dir = scratch + "/work";
  BUILDER_TRY(MakeDirs(spec.upper_dir));
  BUILDER_TRY(MakeDirs(spec.work_dir));
  spec.argv = argv;
  spec.env = config.env;
  bool has_home = false;
  for (const auto& e : spec.env) has_home = has_home || e.starts_with("HOME=");
  if (!has_home) spec.env.push_back("HOME=" + user.home);
  spec.cwd = config.working_dir.empty() ? "/" : config.working_dir;
  spec.uid = user.uid;
  spec.gid = user.gid;
  spec.groups = user.groups;
  std::fflush(stdout);
  spec.stdout_fd = STDOUT_FILENO;
  spec.stderr_fd = STDERR_FILENO;
  auto result = sandbox::RunSandboxed(spec);
  (void)oci::RemoveTree(scratch);
  if (!result) return Fail(std::move(result.error()));
  return result->status.signal ? 128 + result->status.signal : result->status.code;
}

}  // namespace

void RegisterDebugRun(CLI::App& debug, int* status) {
  auto* cmd = debug.add_subcommand("run", "Run an image's entrypoint once in the sandbox (no state kept)");
  // IMAGE [CMD...]: everything after IMAGE belongs to the command, flags included.
  cmd->prefix_command();
  cmd->footer("Usage: builder debug run IMAGE [CMD...]");
  cmd->callback([cmd, status] {
    std::vector<std::string> args = cmd->remaining();
    if (args.empty()) {
      *status = ReportError(Error(ErrorCode::kInvalidArgument, "debug run needs an IMAGE"));
      return;
    }
    std::string image = args.front();
    args.erase(args.begin());
    auto r = RunImage(image, args);
    *status = r ? *r : ReportError(r.error());
  });
}

}  // namespace builder::cli
