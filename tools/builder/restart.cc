// `builder restart [-t N] CONTAINER...`: stop (as `stop`), then start.
#include <unistd.h>

#include "commands.h"
#include "runner/container_control.h"
#include "runner/monitor.h"

namespace builder::cli {

void RegisterRestart(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("restart", "Restart one or more containers");
  static std::vector<std::string> refs;
  static std::optional<int>* timeout = AddStopTimeFlag(cmd);
  cmd->add_option("CONTAINER", refs, "Containers (name, id or id prefix)")->required();
  cmd->callback([status] {
    *status = ForEachContainer(refs, [&](const runner::ContainerStore& store, const std::string& id) -> Result<void> {
      BUILDER_TRY(runner::StopContainer(store, id, *timeout));
      // The old monitor records the exit and then lets go of the container.
      for (int i = 0; i < 500 && store.MonitorAlive(id); ++i) ::usleep(10000);
      BUILDER_TRY(runner::StartContainer(store, id));
      return {};
    });
  });
}

}  // namespace builder::cli
