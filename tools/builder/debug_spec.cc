// `builder debug spec --image IMG [CMD...]`: prints the OCI runtime-spec config.json that runs
// what `builder debug run IMG [CMD...]` runs, so crun or runc can be given the same job.
#include <iostream>

#include "commands.h"
#include "image_run.h"
#include "oci/remove_tree.h"
#include "sandbox/runtime_spec.h"

namespace builder::cli {
namespace {

std::vector<std::string> volumes;

Result<void> PrintSpec(const std::string& image, const std::vector<std::string>& cmd,
                       const std::string& rootfs) {
  oci::ImageStore store = BUILDER_TRY(OpenStore());
  ImageRun run = BUILDER_TRY(PrepareImageRun(store, image, cmd));
  (void)oci::RemoveTree(run.scratch);  // nothing runs: the upper and work dirs are not needed
  for (const std::string& v : volumes) BUILDER_TRY(AddVolumeFlag(store, v, &run));
  nlohmann::json spec = BUILDER_TRY(sandbox::RuntimeSpecForCurrentUser(run.spec, rootfs));
  std::cout << spec.dump(2) << '\n';
  return {};
}

}  // namespace

void RegisterDebugSpec(CLI::App& debug, int* status) {
  auto* cmd = debug.add_subcommand(
      "spec", "Print the OCI runtime spec (config.json) builder runs an image's command with");
  static std::string image;
  static std::string rootfs = "rootfs";
  cmd->add_option("--image", image, "The image whose entrypoint (or CMD...) the spec runs");
  cmd->add_option("--rootfs", rootfs,
                  "root.path of the spec (default \"rootfs\": a bundle's unpacked image, e.g. by "
                  "`builder debug unpack IMG BUNDLE/rootfs`)");
  cmd->add_option("-v,--volume", volumes, "As `debug run -v`: SRC:DST[:ro]")
      ->allow_extra_args(false);
  // [CTR] or --image IMG [CMD...]: everything after the first positional is the command.
  cmd->prefix_command();
  cmd->footer("Usage: builder debug spec [--rootfs PATH] --image IMAGE [CMD...]");
  cmd->callback([cmd, status] {
    std::vector<std::string> args = cmd->remaining();
    if (image.empty()) {
      // Containers arrive with the runner's store; until then only images can be asked about.
      *status = ReportError(Error(ErrorCode::kUnsupported,
                                  args.empty() ? "debug spec needs --image IMAGE"
                                               : "no container store in this build: use "
                                                 "--image IMAGE [CMD...] instead of " + args.front()));
      return;
    }
    if (auto r = PrintSpec(image, args, rootfs); !r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
