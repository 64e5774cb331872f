// `builder debug monitor ID`: the hidden per-container monitor (see runner/monitor.h); started
// by run/start, never by hand. Its start report goes to fd 3.
#include "commands.h"
#include "runner/monitor.h"

namespace builder::cli {

void RegisterDebugMonitor(CLI::App& debug, int* status) {
  auto* cmd = debug.add_subcommand(runner::kMonitorCommand, "The container monitor (internal)");
  cmd->group("");  // hidden from --help
  static std::string id;
  cmd->add_option("ID", id)->required();
  cmd->callback([status] {
    auto store = OpenContainers();
    if (!store) {
      *status = ReportError(store.error());
      return;
    }
    *status = runner::RunMonitor(*store, id, 3);
  });
}

}  // namespace builder::cli
