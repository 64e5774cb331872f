// `builder diff CONTAINER`: docker's "A /path", "C /path", "D /path" lines for what the container
// changed in its root filesystem.
#include <iostream>

#include "commands.h"
#include "runner/container_changes.h"

namespace builder::cli {
namespace {

Result<void> PrintChanges(const std::string& ref) {
  runner::ContainerStore store = BUILDER_TRY(OpenContainers());
  const std::string id = BUILDER_TRY(store.Resolve(ref));
  runner::ContainerSpec spec = BUILDER_TRY(store.LoadSpec(id));
  auto changes = BUILDER_TRY(runner::ListChanges(store.DirOf(id) + "/upper", spec.rootfs_layers));
  for (const runner::FileChange& c : changes) std::cout << c.kind << ' ' << c.path << '\n';
  return {};
}

}  // namespace

void RegisterDiff(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("diff", "Inspect changes to files or directories on a container's filesystem");
  static std::string ref;
  cmd->add_option("CONTAINER", ref, "Container (name, id or id prefix)")->required();
  cmd->callback([status] {
    auto r = PrintChanges(ref);
    *status = r ? 0 : ReportError(r.error());
  });
}

}  // namespace builder::cli
