// builder's entry point: builds the command tree and runs the chosen subcommand.
#include <cstdio>
#include <iostream>

#include "commands.h"

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

}  // namespace builder::cli

int main(int argc, char** argv) {
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
  builder::cli::RegisterImport(app, &status);

  CLI::App* debug = app.add_subcommand("debug", "Inspect builder's internals");
  debug->require_subcommand(1);
  builder::cli::RegisterDebugParse(*debug, &status);
  builder::cli::RegisterDebugRun(*debug, &status);
  builder::cli::RegisterDebugFsck(*debug, &status);
  builder::cli::RegisterDebugUnpack(*debug, &status);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return status;
}
