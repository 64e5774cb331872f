// builder's entry point: builds the command tree and runs the chosen subcommand.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
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

}  // namespace
}  // namespace builder::cli

int main(int argc, char** argv) {
  // First, before any thread exists: the launcher forks.
  if (std::optional<int> code = builder::cli::EnterUserNamespace(argc, argv)) return *code;

  CLI::App app{"builder: a daemonless OCI image builder and runner", "builder"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "builder 0.1.0");
  int status = 0;

  builder::cli::RegisterBuild(app, &status);
  builder::cli::RegisterImages(app, &status);
  builder::cli::RegisterTag(app, &status);
  builder::cli::RegisterRmi(app, &status);
  builder::cli::RegisterInspect(app, &status);
  builder::cli::RegisterHistory(app, &status);
  builder::cli::RegisterPrune(app, &status);
  builder::cli::RegisterSave(app, &status);
  builder::cli::RegisterLoad(app, &status);
  builder::cli::RegisterPull(app, &status);
  builder::cli::RegisterPush(app, &status);
  builder::cli::RegisterLogin(app, &status);
  builder::cli::RegisterLogout(app, &status);
  builder::cli::RegisterSearch(app, &status);
  builder::cli::RegisterImport(app, &status);
  builder::cli::RegisterRun(app, &status);
  builder::cli::RegisterCreate(app, &status);
  builder::cli::RegisterStart(app, &status);
  builder::cli::RegisterPs(app, &status);
  builder::cli::RegisterStop(app, &status);
  builder::cli::RegisterRestart(app, &status);
  builder::cli::RegisterKill(app, &status);
  builder::cli::RegisterRm(app, &status);
  builder::cli::RegisterWait(app, &status);
  builder::cli::RegisterPort(app, &status);
  builder::cli::RegisterLogs(app, &status);
  builder::cli::RegisterRename(app, &status);
  builder::cli::RegisterContainer(app, &status);
  builder::cli::RegisterAttach(app, &status);
  builder::cli::RegisterExec(app, &status);
  builder::cli::RegisterVersion(app, &status);
  builder::cli::RegisterInfo(app, &status);
  builder::cli::RegisterVolume(app, &status);
  builder::cli::RegisterNetwork(app, &status);

  CLI::App* debug = app.add_subcommand("debug", "Inspect builder's internals");
  debug->require_subcommand(1);
  builder::cli::RegisterDebugParse(*debug, &status);
  builder::cli::RegisterDebugRun(*debug, &status);
  builder::cli::RegisterDebugSpec(*debug, &status);
  builder::cli::RegisterDebugFsck(*debug, &status);
  builder::cli::RegisterDebugUnpack(*debug, &status);
  builder::cli::RegisterDebugMonitor(*debug, &status);

  // An unknown command is an error, whatever follows it (CLI11 would print the help for
  // `builder nope -h` and exit 0).
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known = known || sub->check_name(argv[1]);
    if (!known) {
      std::cerr << "builder: error: unknown command \"" << argv[1]
                << "\"\nRun 'builder --help' for more information\n";
      return 1;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return status;
}
