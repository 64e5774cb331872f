// `builder rename CONTAINER NEW_NAME`.
#include "commands.h"

namespace builder::cli {

void RegisterRename(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("rename", "Rename a container");
  static std::string ref, name;
  cmd->add_option("CONTAINER", ref, "Container (name, id or id prefix)")->required();
  cmd->add_option("NEW_NAME", name, "Its new name")->required();
  cmd->callback([status] {
    *status = ForEachContainer({ref}, [](const runner::ContainerStore& store, const std::string& id) {
      return store.Rename(id, name);
    }, false);
  });
}

}  // namespace builder::cli
