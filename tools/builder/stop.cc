// `builder stop [-t N] CONTAINER...`: the stop signal, then SIGKILL after the timeout.
#include <deque>

#include "commands.h"
#include "runner/container_control.h"

namespace builder::cli {

std::optional<int>* AddStopTimeFlag(CLI::App* cmd) {
  // -1 (docker: wait forever) is kept; unset means the container's --stop-timeout or 10.
  static std::deque<std::optional<int>> storage;  // stable addresses
  std::optional<int>* value = &storage.emplace_back();
  cmd->add_option_function<int>("-t,--time", [value](const int& t) { *value = t; },
                                "Seconds to wait before killing the container");
  return value;
}

void RegisterStop(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("stop", "Stop one or more running containers");
  static std::vector<std::string> refs;
  static std::optional<int>* timeout = AddStopTimeFlag(cmd);
  cmd->add_option("CONTAINER", refs, "Containers (name, id or id prefix)")->required();
  cmd->callback([status] {
    *status = ForEachContainer(refs, [&](const runner::ContainerStore& store, const std::string& id) {
      return runner::StopContainer(store, id, *timeout);
    });
  });
}

}  // namespace builder::cli
