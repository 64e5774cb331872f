// `builder debug run IMAGE [CMD...]`: runs an image's entrypoint (or CMD) once in the sandbox
// over its snapshot, output to the terminal; a stand-in for the runner, used by tools/demo.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "commands.h"
#include "image_run.h"
#include "oci/remove_tree.h"
#include "sandbox/sandbox.h"

namespace builder::cli {
namespace {

std::vector<std::string> volumes;
std::string workdir;

Result<int> RunImage(const std::string& name, const std::vector<std::string>& cmd) {
  oci::ImageStore store = BUILDER_TRY(OpenStore());
  ImageRun run = BUILDER_TRY(PrepareImageRun(store, name, cmd));
  for (const std::string& v : volumes) {
    if (auto added = AddVolumeFlag(store, v, &run); !added) {
      (void)oci::RemoveTree(run.scratch);
      return Fail(std::move(added.error()));
    }
  }
  if (!workdir.empty()) run.spec.cwd = workdir;
  std::fflush(stdout);
  run.spec.stdout_fd = STDOUT_FILENO;
  run.spec.stderr_fd = STDERR_FILENO;
  auto result = sandbox::RunSandboxed(run.spec);
  (void)oci::RemoveTree(run.scratch);
  if (!result) return Fail(std::move(result.error()));
  return result->status.signal ? 128 + result->status.signal : result->status.code;
}

}  // namespace

void RegisterDebugRun(CLI::App& debug, int* status) {
  auto* cmd = debug.add_subcommand("run", "Run an image's entrypoint once in the sandbox (no state kept)");
  // IMAGE [CMD...]: everything after IMAGE belongs to the command, flags included.
  cmd->prefix_command();
  cmd->add_option("-v,--volume", volumes, "Bind a host path or a named volume: SRC:DST[:ro]")
      ->allow_extra_args(false);
  cmd->add_option("-w,--workdir", workdir, "Working directory inside the container");
  cmd->footer("Usage: builder debug run [-v SRC:DST[:ro]]... [-w DIR] IMAGE [CMD...]");
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
