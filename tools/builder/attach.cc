// `builder attach [--no-stdin] [--sig-proxy] CONTAINER`: the running container's output from
// now on, the caller's stdin to it when it was created with -i, until it stops (or ctrl-p
// ctrl-q with a tty).
#include "commands.h"
#include "runner/container_attach.h"
#include "runner/container_log.h"

namespace builder::cli {

void RegisterAttach(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("attach", "Attach local standard input, output, and error streams to a running container");
  static std::string ref;
  static bool no_stdin = false, sig_proxy = true;
  cmd->add_option("CONTAINER", ref, "Container (name, id or id prefix)")->required();
  cmd->add_flag("--no-stdin", no_stdin, "Do not attach STDIN");
  cmd->add_option("--sig-proxy", sig_proxy, "Proxy all received signals to the process");
  cmd->callback([status] {
    auto code = [&]() -> Result<int> {
      runner::ContainerStore store = BUILDER_TRY(OpenContainers());
      std::string id = BUILDER_TRY(store.Resolve(ref));
      runner::ContainerView view = BUILDER_TRY(store.View(id));
      if (view.state.status != runner::Status::kRunning) {
        return Fail(ErrorCode::kInvalidArgument, "You cannot attach to a stopped container, start it first");
      }
      runner::AttachOptions options;
      options.log_offset = runner::LogFollower::kEnd;
      options.tty = view.spec.tty;
      options.sig_proxy = sig_proxy && !view.spec.tty;
      options.stdin_fd = view.spec.open_stdin && !no_stdin ? 0 : -1;
      return runner::AttachContainer(store, id, nullptr, options);
    }();
    *status = code ? *code : ReportError(code.error());
  });
}

}  // namespace builder::cli
