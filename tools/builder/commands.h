// The subcommands main() wires up, and how a command reports failure to the user.
#pragma once

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "oci/image_store.h"

namespace builder::cli {

/// Each Register* adds one subcommand to parent; its callback stores the exit status in *status.
void RegisterDebugParse(CLI::App& debug, int* status);
void RegisterDebugFsck(CLI::App& debug, int* status);
void RegisterDebugUnpack(CLI::App& debug, int* status);
void RegisterImages(CLI::App& app, int* status);
void RegisterNetwork(CLI::App& app, int* status);
void RegisterDebugNetrun(CLI::App& debug, int* status);
void RegisterTag(CLI::App& app, int* status);
void RegisterRmi(CLI::App& app, int* status);
void RegisterInspect(CLI::App& app, int* status);
void RegisterHistory(CLI::App& app, int* status);
void RegisterPrune(CLI::App& app, int* status);
void RegisterSave(CLI::App& app, int* status);
void RegisterLoad(CLI::App& app, int* status);
void RegisterPull(CLI::App& app, int* status);
void RegisterPush(CLI::App& app, int* status);
void RegisterLogin(CLI::App& app, int* status);
void RegisterLogout(CLI::App& app, int* status);
void RegisterSearch(CLI::App& app, int* status);
void RegisterImport(CLI::App& app, int* status);
void RegisterBuild(CLI::App& app, int* status);
void RegisterDebugRun(CLI::App& debug, int* status);
void RegisterDebugSpec(CLI::App& debug, int* status);
void RegisterVolume(CLI::App& app, int* status);

/// --insecure-registry HOST[:PORT] (repeatable) on a registry-using subcommand; Apply adds the
/// hosts to $BUILDER_INSECURE_REGISTRIES for this process before any registry is contacted.
void AddInsecureRegistryOption(CLI::App* cmd, std::vector<std::string>* hosts);
void ApplyInsecureRegistries(const std::vector<std::string>& hosts);

/// The store at ImageStore::DefaultRoot() ($BUILDER_ROOT, ...), created if missing.
[[nodiscard]] Result<oci::ImageStore> OpenStore();

/// Prints "builder: error: ..." (with source line and caret when located) to stderr; returns 1.
int ReportError(const Error& error);

}  // namespace builder::cli
