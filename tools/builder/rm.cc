// `builder rm [-f] CONTAINER...`: removes containers (-f: running ones too, killed first).
#include "commands.h"
#include "runner/container_control.h"

namespace builder::cli {

void RegisterRm(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("rm", "Remove one or more containers");
  static std::vector<std::string> refs;
  static bool force = false, volumes = false;
  cmd->add_flag("-f,--force", force, "Force the removal of a running container (uses SIGKILL)");
  cmd->add_flag("-v,--volumes", volumes, "Remove anonymous volumes associated with the container");
  cmd->add_option("CONTAINER", refs, "Containers (name, id or id prefix)")->required();
  cmd->callback([status] {
    *status = ForEachContainer(refs, [&](const runner::ContainerStore& store, const std::string& id) {
      return runner::RemoveContainer(store, id, force, volumes);
    });
  });
}

}  // namespace builder::cli
