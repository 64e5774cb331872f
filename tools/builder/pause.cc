// `builder pause CONTAINER...` / `builder unpause CONTAINER...`: freeze and thaw every process of
// running containers through their cgroup's freezer.
#include "commands.h"
#include "runner/container_cgroup.h"

namespace builder::cli {
namespace {

void Register(CLI::App& app, int* status, bool pause) {
  auto* cmd = app.add_subcommand(pause ? "pause" : "unpause",
                                 pause ? "Pause all processes within one or more containers"
                                       : "Unpause all processes within one or more containers");
  static std::vector<std::string> refs;
  cmd->add_option("CONTAINER", refs, "Containers (name, id or id prefix)")->required();
  cmd->callback([status, pause] {
    *status = ForEachContainer(refs, [&](const runner::ContainerStore& store, const std::string& id) {
      return pause ? runner::PauseContainer(store, id) : runner::UnpauseContainer(store, id);
    });
  });
}

}  // namespace

void RegisterPause(CLI::App& app, int* status) { Register(app, status, true); }
void RegisterUnpause(CLI::App& app, int* status) { Register(app, status, false); }

}  // namespace builder::cli
