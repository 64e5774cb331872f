// builder's entry point: builds the command tree and runs the chosen subcommand.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <span>
#include <string_view>

#include "base/log.h"
#include "commands.h"
#include "sandbox/user_namespace_reexec.h"

namespace builder::cli {

int ReportError(const Error& error) {
  std::fflush(stdout);
  std::cerr << "builder: error: " << error.Describe() << '\n';
  return 1;
}

Result<oci::ImageStore> OpenStore() {
  std::string root = BUILDER_TRY(oci::ImageStore::DefaultRoot());
  return oci::ImageStore::Open(std::move(root));
}

Result<runner::ContainerStore> OpenContainers() {
  oci::ImageStore store = BUILDER_TRY(OpenStore());
  return runner::ContainerStore::Open(store.root());
}

int ForEachContainer(const std::vector<std::string>& refs,
                     const std::function<Result<void>(const runner::ContainerStore&, const std::string& id)>& act,
                     bool print) {
  auto store = OpenContainers();
  if (!store) return ReportError(store.error());
  int status = 0;
  for (const std::string& ref : refs) {
    auto done = [&]() -> Result<void> {
      std::string id = BUILDER_TRY(store->Resolve(ref));
      return act(*store, id);
    }();
    if (!done) {
      status = ReportError(done.error());
    } else if (print) {
      std::cout << ref << '\n';
    }
  }
  return status;
}

namespace {

// --help and --version touch no store: not worth a user namespace.
bool OnlyPrints(int argc, char** argv) {
  if (argc < 2) return true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "-h" || arg == "--help" || arg == "--version") return true;
  }
  return false;
}

// A user with /etc/subuid and /etc/subgid ranges runs builder as root of a user namespace over
// them (as `podman unshare`), so files a RUN gave to another id stay readable, chownable and
// deletable. Returns the exit code when this process was only the launcher.
std::optional<int> EnterUserNamespace(int argc, char** argv) {
  if (OnlyPrints(argc, argv)) return std::nullopt;
  // exec joins the container's own user namespace, a child of the one its `run` made: only
  // the user owning that one may (a fresh sibling namespace may not even open its ns files).
  if (std::string_view(argv[1]) == "exec") return std::nullopt;
  auto maps = sandbox::UserNamespaceReexecMaps();
  if (!maps) return ReportError(maps.error());
  if (!*maps) return std::nullopt;
  // Inside, uid 0 would pick /var/lib/builder: the store stays the one this user would get.
  // Without one (no HOME) stay outside: a command that needs the store fails as it did.
  const char* root_env = std::getenv("BUILDER_ROOT");
  if (root_env == nullptr || *root_env == '\0') {
    auto root = oci::ImageStore::DefaultRoot();
    if (!root) return std::nullopt;
    if (::setenv("BUILDER_ROOT", root->c_str(), 1) != 0) {
      return ReportError(Error::FromErrno("setenv BUILDER_ROOT", errno));
    }
  }
  auto code = sandbox::ReexecInUserNamespace(**maps, argv);
  if (code) return *code;
  if (code.error().code() == ErrorCode::kInternal) return ReportError(code.error());
  // Nothing ran yet: go on as before, when only RUN used the ranges (and will fail the same way).
  LogWarn("cannot enter a user namespace with the /etc/subuid ranges (" +
          code.error().Describe() + "); going on without it: files can only be root's");
  return std::nullopt;
}

void RegisterDebug(CLI::App& app, int* status) {
  CLI::App* debug = app.add_subcommand("debug", "Inspect builder's internals");
  debug->require_subcommand(1);
  RegisterDebugParse(*debug, status);
  RegisterDebugRun(*debug, status);
  RegisterDebugSpec(*debug, status);
  RegisterDebugFsck(*debug, status);
  RegisterDebugUnpack(*debug, status);
  RegisterDebugMonitor(*debug, status);
}

struct Command {
  std::string_view name;
  void (*add)(CLI::App& app, int* status);
};

// In --help order. A new top-level command is one row here.
constexpr Command kCommands[] = {
    {"build", RegisterBuild},     {"images", RegisterImages},   {"tag", RegisterTag},
    {"rmi", RegisterRmi},         {"inspect", RegisterInspect}, {"history", RegisterHistory},
    {"prune", RegisterPrune},     {"save", RegisterSave},       {"load", RegisterLoad},
    {"pull", RegisterPull},       {"push", RegisterPush},       {"login", RegisterLogin},
    {"logout", RegisterLogout},   {"search", RegisterSearch},   {"import", RegisterImport},
    {"run", RegisterRun},         {"create", RegisterCreate},   {"start", RegisterStart},
    {"ps", RegisterPs},           {"stop", RegisterStop},       {"restart", RegisterRestart},
    {"kill", RegisterKill},       {"rm", RegisterRm},           {"wait", RegisterWait},
    {"port", RegisterPort},       {"logs", RegisterLogs},       {"rename", RegisterRename},
    {"container", RegisterContainer}, {"attach", RegisterAttach}, {"exec", RegisterExec},
    {"version", RegisterVersion}, {"info", RegisterInfo},       {"volume", RegisterVolume},
    {"network", RegisterNetwork}, {"diff", RegisterDiff},       {"commit", RegisterCommit},
    {"export", RegisterExport},   {"cp", RegisterCp},           {"pause", RegisterPause},
    {"unpause", RegisterUnpause}, {"stats", RegisterStats},     {"top", RegisterTop},
    {"events", RegisterEvents},   {"system", RegisterSystem},   {"debug", RegisterDebug},
};

// The commands to build for this argv: the one named by argv[1], all of them when argv[1] is an
// option (--help, --version) or absent, none for an unknown command (an error, whatever follows
// it: CLI11 would print the help for `builder nope -h` and exit 0).
std::span<const Command> ChosenCommand(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return kCommands;
  for (const Command& c : kCommands) {
    if (c.name == argv[1]) return {&c, 1};
  }
  return {};
}

}  // namespace
}  // namespace builder::cli

int main(int argc, char** argv) {
  // First, before any thread exists: the launcher forks.
  if (std::optional<int> code = builder::cli::EnterUserNamespace(argc, argv)) return *code;

  CLI::App app{"builder: a daemonless OCI image builder and runner", "builder"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "builder 0.1.0");
  int status = 0;

  // Only the command asked for is built: constructing every command's options costs more than
  // the rest of a short command such as `exec` or `run --rm` (see ChosenCommand).
  const std::span<const builder::cli::Command> commands = builder::cli::ChosenCommand(argc, argv);
  if (commands.empty()) {
    std::cerr << "builder: error: unknown command \"" << argv[1]
              << "\"\nRun 'builder --help' for more information\n";
    return 1;
  }
  for (const builder::cli::Command& c : commands) c.add(app, &status);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return status;
}
