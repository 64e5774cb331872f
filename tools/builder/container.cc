// `builder container COMMAND`: docker's management command. `prune [-f]` removes every stopped
// container (and the garbage of interrupted removals); every other container command is the
// top-level one under this name too (`container ls` is `ps`).
#include <iostream>

#include "commands.h"
#include "runner/container_control.h"

namespace builder::cli {

void RegisterContainer(CLI::App& app, int* status) {
  auto* container = app.add_subcommand("container", "Manage containers");
  container->require_subcommand(1);
  // The same commands as at the top level, each registered by its own file.
  for (void (*add)(CLI::App&, int*) :
       {RegisterAttach, RegisterCommit, RegisterCp, RegisterCreate, RegisterDiff, RegisterExec,
        RegisterExport, RegisterInspect, RegisterKill, RegisterLogs, RegisterPause, RegisterPort,
        RegisterRename, RegisterRestart, RegisterRm, RegisterRun, RegisterStart, RegisterStats,
        RegisterStop, RegisterTop, RegisterUnpause, RegisterWait, RegisterPs}) {
    add(*container, status);
  }
  container->get_subcommand("ps")->alias("ls")->alias("list");
  auto* prune = container->add_subcommand("prune", "Remove all stopped containers");
  static bool force = false;
  prune->add_flag("-f,--force", force, "Do not prompt for confirmation");
  prune->callback([status] {
    auto r = [&]() -> Result<void> {
      runner::ContainerStore store = BUILDER_TRY(OpenContainers());
      BUILDER_TRY(store.RemoveGarbage());
      std::cout << "Deleted Containers:\n";
      for (const std::string& id : BUILDER_TRY(store.List())) {
        auto view = store.View(id);
        if (!view || view->state.active() || view->monitor_alive) continue;
        if (runner::RemoveContainer(store, id, false)) std::cout << id << '\n';
      }
      std::cout << "\nTotal reclaimed space: 0B\n";
      return {};
    }();
    if (!r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
