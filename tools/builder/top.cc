// `builder top CONTAINER [ps OPTIONS]`: the running processes of a container, as the host's ps
// shows them (-ef unless other ps options are given), in docker's columns.
#include <iostream>

#include "commands.h"
#include "runner/container_top.h"
#include "table.h"

namespace builder::cli {

void RegisterTop(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("top", "Display the running processes of a container");
  // CONTAINER [ps OPTIONS]: everything after CONTAINER is ps's, dashes included.
  cmd->prefix_command();
  cmd->footer("Usage: builder top CONTAINER [ps OPTIONS]");
  cmd->callback([cmd, status] {
    std::vector<std::string> rest = cmd->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (rest.empty()) {
      *status = ReportError(Error(ErrorCode::kInvalidArgument, "\"builder top\" requires at least 1 argument"));
      return;
    }
    auto table = [&]() -> Result<runner::ProcessTable> {
      runner::ContainerStore store = BUILDER_TRY(OpenContainers());
      std::string id = BUILDER_TRY(store.Resolve(rest.front()));
      runner::ContainerView view = BUILDER_TRY(store.View(id));
      if (!view.state.active()) {
        return Fail(ErrorCode::kInvalidArgument, "container " + id + " is not running");
      }
      return runner::ContainerTop(view, std::vector<std::string>(rest.begin() + 1, rest.end()));
    }();
    if (!table) {
      *status = ReportError(table.error());
      return;
    }
    TabWriter out(20);  // docker top's tabwriter: minwidth 20, padding 3
    out.AddRow(table->titles);
    for (auto& row : table->processes) out.AddRow(std::move(row));
    out.Print(std::cout);
  });
}

}  // namespace builder::cli
