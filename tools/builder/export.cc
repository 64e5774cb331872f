// `builder export [-o FILE] CONTAINER`: the container's merged root filesystem as a tar stream.
#include <unistd.h>

#include <iostream>
#include <optional>

#include "base/path.h"
#include "base/staged_file.h"
#include "commands.h"
#include "oci/byte_stream.h"
#include "oci/layer_writer.h"
#include "runner/container_rootfs.h"

namespace builder::cli {
namespace {

Result<void> Export(const std::string& ref, const std::string& output) {
  runner::ContainerStore store = BUILDER_TRY(OpenContainers());
  const std::string id = BUILDER_TRY(store.Resolve(ref));
  std::optional<StagedFile> file;
  int out = STDOUT_FILENO;
  if (!output.empty() && output != "-") {
    // Written beside the destination and renamed over it: a failed export leaves no half file.
    file.emplace(BUILDER_TRY(StagedFile::Create(DirName(output))));
    out = file->fd();
  } else if (::isatty(STDOUT_FILENO)) {
    return Fail(ErrorCode::kInvalidArgument,
                "cowardly refusing to save to a terminal. Use the -o flag or redirect");
  }
  UniqueFd root = BUILDER_TRY(runner::OpenContainerRootfs(store, id, runner::RootfsUse::kExport));
  oci::FdSink sink(out);
  // The tree streams file by file through a fixed buffer; nothing is held in memory.
  BUILDER_TRY(oci::WriteLayer(root.get(), oci::LayerWriteOptions{}, sink));
  BUILDER_TRY(sink.Close());
  if (file) BUILDER_TRY(file->Commit(output));
  return {};
}

}  // namespace

void RegisterExport(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("export", "Export a container's filesystem as a tar archive");
  static std::string ref, output;
  cmd->add_option("-o,--output", output, "Write to a file, instead of STDOUT");
  cmd->add_option("CONTAINER", ref, "Container (name, id or id prefix)")->required();
  cmd->callback([status] {
    auto r = Export(ref, output);
    *status = r ? 0 : ReportError(r.error());
  });
}

}  // namespace builder::cli
