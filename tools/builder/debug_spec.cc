// `builder debug spec CTR` / `--image IMG [CMD...]`: prints the OCI runtime-spec config.json that
// runs what `builder start CTR` (or `builder debug run IMG [CMD...]`) runs, so crun or runc can be
// given the same job.
#include <iostream>

#include "commands.h"
#include "image_run.h"
#include "oci/remove_tree.h"
#include "runner/container_sandbox.h"
#include "runner/container_store.h"
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

// A stored container's spec, as its monitor would start it (stdio aside).
Result<void> PrintContainerSpec(const std::string& ref, const std::string& rootfs) {
  oci::ImageStore store = BUILDER_TRY(OpenStore());
  runner::ContainerStore containers = BUILDER_TRY(runner::ContainerStore::Open(store.root()));
  std::string id = BUILDER_TRY(containers.Resolve(ref));
  runner::ContainerSpec container = BUILDER_TRY(containers.LoadSpec(id));
  sandbox::SandboxSpec spec = BUILDER_TRY(runner::SandboxSpecFor(containers, container));
  nlohmann::json doc = BUILDER_TRY(sandbox::RuntimeSpecForCurrentUser(spec, rootfs));
  std::cout << doc.dump(2) << '\n';
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
  cmd->footer("Usage: builder debug spec [--rootfs PATH] CONTAINER | --image IMAGE [CMD...]");
  cmd->callback([cmd, status] {
    std::vector<std::string> args = cmd->remaining();
    if (image.empty()) {
      if (args.size() != 1) {
        *status = ReportError(Error(ErrorCode::kInvalidArgument,
                                    "debug spec needs a CONTAINER or --image IMAGE [CMD...]"));
        return;
      }
      if (auto r = PrintContainerSpec(args.front(), rootfs); !r) *status = ReportError(r.error());
      return;
    }
    if (auto r = PrintSpec(image, args, rootfs); !r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
