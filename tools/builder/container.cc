// `builder container prune [-f]`: removes every stopped container (and the garbage of
// interrupted removals).
#include <iostream>

#include "commands.h"
#include "runner/container_control.h"

namespace builder::cli {

void RegisterContainer(CLI::App& app, int* status) {
  auto* container = app.add_subcommand("container", "Manage containers");
  container->require_subcommand(1);
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
