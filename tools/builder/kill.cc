// `builder kill [-s SIG] CONTAINER...`: a signal (SIGKILL by default) to running containers.
#include "commands.h"
#include "runner/container_control.h"

namespace builder::cli {

void RegisterKill(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("kill", "Kill one or more running containers");
  static std::vector<std::string> refs;
  static std::string signal = "KILL";
  cmd->add_option("-s,--signal", signal, "Signal to send to the container");
  cmd->add_option("CONTAINER", refs, "Containers (name, id or id prefix)")->required();
  cmd->callback([status] {
    auto sig = runner::ParseSignal(signal);
    if (!sig) {
      *status = ReportError(sig.error());
      return;
    }
    *status = ForEachContainer(refs, [&](const runner::ContainerStore& store, const std::string& id) {
      return runner::KillContainer(store, id, *sig);
    });
  });
}

}  // namespace builder::cli
