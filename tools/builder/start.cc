// `builder start [-a] CONTAINER...`: starts created or stopped containers.
#include <iostream>

#include "commands.h"
#include "runner/container_attach.h"
#include "runner/container_log.h"
#include "runner/monitor.h"

namespace builder::cli {

void RegisterStart(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("start", "Start one or more stopped containers");
  static std::vector<std::string> refs;
  static bool attach = false, interactive = false;
  cmd->add_option("CONTAINER", refs, "Containers (name, id or id prefix)")->required();
  cmd->add_flag("-a,--attach", attach, "Attach STDOUT/STDERR and forward signals");
  cmd->add_flag("-i,--interactive", interactive, "Attach container's STDIN");
  cmd->callback([status] {
    if (attach || interactive) {
      if (refs.size() != 1) {
        *status = ReportError(Error(ErrorCode::kInvalidArgument, "you cannot start and attach multiple containers at once"));
        return;
      }
      auto code = [&]() -> Result<int> {
        runner::ContainerStore store = BUILDER_TRY(OpenContainers());
        std::string id = BUILDER_TRY(store.Resolve(refs[0]));
        runner::ContainerSpec spec = BUILDER_TRY(store.LoadSpec(id));
        runner::AttachOptions options;
        runner::StartedContainer started = BUILDER_TRY(runner::StartContainer(store, id));
        options.tty = spec.tty;
        options.sig_proxy = !spec.tty;
        options.stdin_fd = interactive && spec.open_stdin ? 0 : -1;
        return runner::AttachContainer(store, id, &started, options);
      }();
      *status = code ? *code : ReportError(code.error());
      return;
    }
    *status = ForEachContainer(refs, [](const runner::ContainerStore& store, const std::string& id) -> Result<void> {
      runner::ContainerView view = BUILDER_TRY(store.View(id));
      if (view.state.active()) return {};  // docker: starting a running container is a no-op
      BUILDER_TRY(runner::StartContainer(store, id));
      return {};
    });
  });
}

}  // namespace builder::cli
