// `builder wait CONTAINER...`: blocks until each stops; prints its exit code.
#include <iostream>

#include "commands.h"
#include "runner/container_control.h"

namespace builder::cli {

void RegisterWait(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("wait", "Block until one or more containers stop, then print their exit codes");
  static std::vector<std::string> refs;
  cmd->add_option("CONTAINER", refs, "Containers (name, id or id prefix)")->required();
  cmd->callback([status] {
    *status = ForEachContainer(refs, [](const runner::ContainerStore& store, const std::string& id) -> Result<void> {
      int code = BUILDER_TRY(runner::WaitContainer(store, id));
      std::cout << code << std::endl;
      return {};
    }, false);
  });
}

}  // namespace builder::cli
