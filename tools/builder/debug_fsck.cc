// `builder debug fsck`: verifies the whole store; exit status 1 when anything is damaged.
#include <unistd.h>

#include <iostream>

#include "base/progress.h"
#include "commands.h"
#include "oci/fsck.h"

namespace builder::cli {

void RegisterDebugFsck(CLI::App& debug, int* status) {
  auto* cmd = debug.add_subcommand("fsck", "Verify every blob and reference in the store");
  cmd->callback([status] {
    auto run = [&]() -> Result<oci::FsckReport> {
      oci::ImageStore store = BUILDER_TRY(OpenStore());
      // A bar on a terminal; no progress lines in logs, where only the problems matter.
      auto progress =
          MakeProgress(::isatty(STDERR_FILENO) ? ProgressMode::kAuto : ProgressMode::kQuiet, stderr);
      return oci::Fsck(store, progress.get());
    };
    auto report = run();
    if (!report) {
      *status = ReportError(report.error());
      return;
    }
    for (const std::string& problem : report->problems) std::cout << problem << '\n';
    if (!report->ok()) {
      std::cout << "store damaged: " << report->problems.size() << " problem(s)\n";
      *status = 1;
      return;
    }
    std::cout << "store ok: " << report->blobs << " blobs, " << report->images << " images\n";
  });
}

}  // namespace builder::cli
