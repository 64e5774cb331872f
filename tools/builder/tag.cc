// `builder tag SOURCE TARGET`: gives an image another name, as `docker tag`.
#include "commands.h"

namespace builder::cli {

void RegisterTag(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
  static std::string source, target;
  cmd->add_option("SOURCE_IMAGE", source, "Image name, ID or ID prefix")->required();
  cmd->add_option("TARGET_IMAGE", target, "New name[:tag]")->required();
  cmd->callback([status] {
    auto run = [&]() -> Result<void> {
      oci::Reference ref = BUILDER_TRY(oci::ParseTagReference(target));
      oci::ImageStore store = BUILDER_TRY(OpenStore());
      oci::StoredImage image = BUILDER_TRY(store.Resolve(source));
      return store.Tag(image.descriptor, ref);
    };
    if (auto r = run(); !r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
