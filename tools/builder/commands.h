// The subcommands main() wires up, and how a command reports failure to the user.
#pragma once

#include <CLI/CLI.hpp>

#include "base/error.h"

namespace builder::cli {

/// Each Register* adds one subcommand to parent; its callback stores the exit status in *status.
void RegisterDebugParse(CLI::App& debug, int* status);
void RegisterBuild(CLI::App& app, int* status);
void RegisterDebugRun(CLI::App& debug, int* status);

/// Prints "builder: error: ..." (with source line and caret when located) to stderr; returns 1.
int ReportError(const Error& error);

}  // namespace builder::cli
