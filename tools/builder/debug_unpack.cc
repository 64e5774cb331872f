// `builder debug unpack IMAGE DIR`: applies an image's layers to DIR, for comparing trees.
#include <iostream>

#include "base/path.h"
#include "commands.h"
#include "oci/snapshot_store.h"

namespace builder::cli {

void RegisterDebugUnpack(CLI::App& debug, int* status) {
  auto* cmd = debug.add_subcommand("unpack", "Unpack an image's layers into a directory");
  static std::string name, dir;
  cmd->add_option("IMAGE", name, "Image name, ID or ID prefix")->required();
  cmd->add_option("DIR", dir, "Target directory (created if missing)")->required();
  cmd->callback([status] {
    auto run = [&]() -> Result<void> {
      oci::ImageStore store = BUILDER_TRY(OpenStore());
      oci::StoredImage image = BUILDER_TRY(store.Resolve(name));
      BUILDER_TRY(MakeDirs(dir));
      return oci::SnapshotStore(store).UnpackInto(image, dir);
    };
    if (auto r = run(); !r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
