// `builder pause CONTAINER...` / `builder unpause CONTAINER...`: freeze and thaw every process of
// running containers through their cgroup's freezer.
#include "commands.h"
#include "runner/container_cgroup.h"

namespace builder::cli {

void RegisterPause(CLI::App& app, int* status) {
  for (const bool pause : {true, false}) {
    auto* cmd = app.add_subcommand(pause ? "pause" : "unpause",
                                   pause ? "Pause all processes within one or more containers"
                                         : "Unpause all processes within one or more containers");
    static std::vector<std::string> refs[2];
    std::vector<std::string>* mine = &refs[pause ? 0 : 1];
    cmd->add_option("CONTAINER", *mine, "Containers (name, id or id prefix)")->required();
    cmd->callback([status, pause, mine] {
      *status = ForEachContainer(*mine, [&](const runner::ContainerStore& store, const std::string& id) {
        return pause ? runner::PauseContainer(store, id) : runner::UnpauseContainer(store, id);
      });
    });
  }
}

}  // namespace builder::cli
