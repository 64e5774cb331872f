// `builder stop [-t N] CONTAINER...`: the stop signal, then SIGKILL after the timeout.
#include <optional>

#include "commands.h"
#include "runner/container_control.h"

namespace builder::cli {

void RegisterStop(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("stop", "Stop one or more running containers");
  static std::vector<std::string> refs;
  static int timeout = 10;
  static CLI::Option* timeout_opt = cmd->add_option("-t,--time", timeout, "Seconds to wait before killing the container");
  cmd->add_option("CONTAINER", refs, "Containers (name, id or id prefix)")->required();
  cmd->callback([status] {
    std::optional<int> t;
    if (timeout_opt->count() > 0) t = timeout;
    *status = ForEachContainer(refs, [&](const runner::ContainerStore& store, const std::string& id) {
      return runner::StopContainer(store, id, t);
    });
  });
}

}  // namespace builder::cli
