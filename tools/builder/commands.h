// The subcommands main() wires up, and how a command reports failure to the user.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>

#include "base/error.h"
#include "oci/image_store.h"
#include "runner/container_store.h"

namespace builder::cli {

/// Each Register* adds one subcommand to parent; its callback stores the exit status in *status.
void RegisterDebugParse(CLI::App& debug, int* status);
void RegisterDebugFsck(CLI::App& debug, int* status);
void RegisterDebugUnpack(CLI::App& debug, int* status);
void RegisterImages(CLI::App& app, int* status);
void RegisterNetwork(CLI::App& app, int* status);
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
void RegisterDebugMonitor(CLI::App& debug, int* status);
void RegisterRun(CLI::App& app, int* status);
void RegisterCreate(CLI::App& app, int* status);
void RegisterStart(CLI::App& app, int* status);
void RegisterPs(CLI::App& app, int* status);
void RegisterStop(CLI::App& app, int* status);
void RegisterRestart(CLI::App& app, int* status);
void RegisterKill(CLI::App& app, int* status);
void RegisterRm(CLI::App& app, int* status);
void RegisterWait(CLI::App& app, int* status);
void RegisterPort(CLI::App& app, int* status);
void RegisterLogs(CLI::App& app, int* status);
void RegisterRename(CLI::App& app, int* status);
void RegisterContainer(CLI::App& app, int* status);
void RegisterAttach(CLI::App& app, int* status);
void RegisterExec(CLI::App& app, int* status);
void RegisterVersion(CLI::App& app, int* status);
void RegisterInfo(CLI::App& app, int* status);
void RegisterDebugSpec(CLI::App& debug, int* status);
void RegisterVolume(CLI::App& app, int* status);
void RegisterDiff(CLI::App& app, int* status);
void RegisterCommit(CLI::App& app, int* status);
void RegisterExport(CLI::App& app, int* status);
void RegisterCp(CLI::App& app, int* status);
void RegisterPause(CLI::App& app, int* status);
void RegisterUnpause(CLI::App& app, int* status);
void RegisterStats(CLI::App& app, int* status);
void RegisterTop(CLI::App& app, int* status);
void RegisterEvents(CLI::App& app, int* status);
void RegisterSystem(CLI::App& app, int* status);  ///< system df

/// --insecure-registry HOST[:PORT] (repeatable) on a registry-using subcommand; Apply adds the
/// hosts to $BUILDER_INSECURE_REGISTRIES for this process before any registry is contacted.
void AddInsecureRegistryOption(CLI::App* cmd, std::vector<std::string>* hosts);
void ApplyInsecureRegistries(const std::vector<std::string>& hosts);

/// The store at ImageStore::DefaultRoot() ($BUILDER_ROOT, ...), created if missing.
[[nodiscard]] Result<oci::ImageStore> OpenStore();
/// The container store beside it.
[[nodiscard]] Result<runner::ContainerStore> OpenContainers();

/// Adds stop's and restart's `-t,--time N`; the value is set only when given.
std::optional<int>* AddStopTimeFlag(CLI::App* cmd);

/// Runs `act` for each container reference, printing each reference on success (docker's stop,
/// kill, rm ... output) and "builder: error: ..." for each failure; returns the exit status.
int ForEachContainer(const std::vector<std::string>& refs,
                     const std::function<Result<void>(const runner::ContainerStore&, const std::string& id)>& act,
                     bool print = true);

/// Prints "builder: error: ..." (with source line and caret when located) to stderr; returns 1.
int ReportError(const Error& error);

}  // namespace builder::cli
