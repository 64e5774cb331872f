// `builder run [OPTIONS] IMAGE [COMMAND] [ARG...]` and `builder create ...`: a new container,
// started (run) and attached to unless -d; exit codes as docker's (125, 126, 127, the command's).
#include <unistd.h>

#include <iostream>

#include "commands.h"
#include "run_flags.h"
#include "runner/container_attach.h"
#include "runner/container_control.h"
#include "runner/container_create.h"
#include "runner/monitor.h"

namespace builder::cli {
namespace {

constexpr int kRunnerError = 125;

struct RunArgs {
  RunFlags flags;
  bool detach = false;
  bool sig_proxy = true;
};

// IMAGE [COMMAND...] from what the prefix-command parse left.
Result<std::pair<std::string, std::vector<std::string>>> SplitImage(std::vector<std::string> rest,
                                                                    const char* command) {
  if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
  if (rest.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("\"builder ") + command + "\" requires at least 1 argument");
  }
  std::string image = rest.front();
  rest.erase(rest.begin());
  return std::make_pair(image, rest);
}

struct Created {
  runner::ContainerStore store;
  runner::ContainerSpec spec;
};

Result<Created> Create(const RunFlags& flags, std::vector<std::string> rest, const char* command) {
  auto [image, args] = BUILDER_TRY(SplitImage(std::move(rest), command));
  runner::CreateOptions options = BUILDER_TRY(ToCreateOptions(flags, image, std::move(args)));
  if (options.tty && !runner::TerminalSize(0, &options.tty_rows, &options.tty_cols)) {
    (void)runner::TerminalSize(1, &options.tty_rows, &options.tty_cols);
  }
  oci::ImageStore images = BUILDER_TRY(OpenStore());
  oci::StoredImage stored = BUILDER_TRY(ImageForRun(images, image, flags.pull));
  runner::ContainerStore containers = BUILDER_TRY(runner::ContainerStore::Open(images.root()));
  runner::ContainerSpec spec = BUILDER_TRY(runner::CreateContainer(images, containers, stored, options));
  return Created{std::move(containers), std::move(spec)};
}

int ReportRunError(const Error& e) {
  ReportError(e);
  return runner::StartFailureExitCode(e);
}

}  // namespace

void RegisterRun(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("run", "Create and run a new container from an image");
  static RunArgs a;
  AddRunFlags(cmd, &a.flags);
  cmd->add_flag("-d,--detach", a.detach, "Run container in background and print container ID");
  cmd->add_option("--sig-proxy", a.sig_proxy, "Proxy received signals to the process");
  // IMAGE [COMMAND] [ARG...]: everything after IMAGE belongs to the command, flags included.
  cmd->prefix_command();
  cmd->footer("Usage: builder run [OPTIONS] IMAGE [COMMAND] [ARG...]");
  cmd->callback([cmd, status] {
    auto created = Create(a.flags, cmd->remaining(), "run");
    if (!created) {
      *status = ReportRunError(created.error());
      return;
    }
    const runner::ContainerStore& containers = created->store;
    const runner::ContainerSpec* spec = &created->spec;
    auto started = runner::StartContainer(containers, spec->id);
    if (!started) {
      *status = ReportRunError(started.error());
      if (spec->auto_remove) (void)runner::RemoveContainer(containers, spec->id, true, true);
      return;
    }
    if (a.detach) {
      std::cout << spec->id << std::endl;
      *status = 0;
      return;
    }
    runner::AttachOptions options;
    // As docker: with a tty, signals travel as keys through it, not through the proxy.
    options.sig_proxy = a.sig_proxy && !a.flags.tty;
    options.stdin_fd = a.flags.interactive ? 0 : -1;
    options.tty = a.flags.tty;
    auto code = runner::AttachContainer(containers, spec->id, &*started, options);
    *status = code ? *code : ReportRunError(code.error());
  });
}

void RegisterCreate(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("create", "Create a new container");
  static RunFlags flags;
  AddRunFlags(cmd, &flags);
  cmd->prefix_command();
  cmd->footer("Usage: builder create [OPTIONS] IMAGE [COMMAND] [ARG...]");
  cmd->callback([cmd, status] {
    auto created = Create(flags, cmd->remaining(), "create");
    if (!created) {
      *status = ReportRunError(created.error());
      return;
    }
    std::cout << created->spec.id << '\n';
  });
}

}  // namespace builder::cli
