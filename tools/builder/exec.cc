// `builder exec [-d] [-i] [-t] [-e K=V] [-w DIR] [-u USER] [--privileged] CONTAINER CMD...`:
// a new process in a running container (its namespaces, cgroup, capabilities and seccomp).
#include "commands.h"
#include "runner/exec_session.h"
#include "runner/monitor.h"

namespace builder::cli {

void RegisterExec(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("exec", "Execute a command in a running container");
  static runner::ExecRequest req;
  static std::string workdir, user;
  static CLI::Option* workdir_opt = cmd->add_option("-w,--workdir", workdir, "Working directory inside the container");
  static CLI::Option* user_opt = cmd->add_option("-u,--user", user, "Username or UID (format: <name|uid>[:<group|gid>])");
  cmd->add_flag("-d,--detach", req.detach, "Detached mode: run command in the background");
  cmd->add_flag("-i,--interactive", req.interactive, "Keep STDIN open even if not attached");
  cmd->add_flag("-t,--tty", req.options.tty, "Allocate a pseudo-TTY");
  cmd->add_option("-e,--env", req.options.env, "Set environment variables")->allow_extra_args(false);
  cmd->add_flag("--privileged", req.options.privileged, "Give extended privileges to the command");
  // CONTAINER COMMAND [ARG...]: everything after CONTAINER is the command's, flags included.
  cmd->prefix_command();
  cmd->footer("Usage: builder exec [OPTIONS] CONTAINER COMMAND [ARG...]");
  cmd->callback([cmd, status] {
    std::vector<std::string> rest = cmd->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (rest.size() < 2) {
      *status = ReportError(Error(ErrorCode::kInvalidArgument, "\"builder exec\" requires at least 2 arguments"));
      return;
    }
    if (workdir_opt->count() > 0) req.options.workdir = workdir;
    if (user_opt->count() > 0) req.options.user = user;
    req.options.argv.assign(rest.begin() + 1, rest.end());
    auto code = [&]() -> Result<int> {
      runner::ContainerStore store = BUILDER_TRY(OpenContainers());
      std::string id = BUILDER_TRY(store.Resolve(rest.front()));
      return runner::ExecInContainer(store, id, req);
    }();
    if (code) {
      *status = *code;
    } else {
      ReportError(code.error());
      *status = runner::StartFailureExitCode(code.error());
    }
  });
}

}  // namespace builder::cli
