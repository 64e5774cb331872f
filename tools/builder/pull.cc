// `builder pull [-q] NAME[:TAG|@DIGEST]`: an image from its registry into the store, printed
// as docker does.
#include <iostream>
#include <string>

#include "base/progress.h"
#include "commands.h"
#include "oci/media_types.h"
#include "registry/curl_transport.h"
#include "registry/image_puller.h"

namespace builder::cli {

void RegisterPull(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("pull", "Download an image from a registry");
  static std::string name;
  static bool quiet = false;
  static std::string platform;
  cmd->add_option("NAME", name, "Image reference: NAME[:TAG|@DIGEST]")->required();
  cmd->add_flag("-q,--quiet", quiet, "Suppress verbose output");
  cmd->add_option("--platform", platform, "Set platform if server is multi-platform capable");
  cmd->callback([status] {
    auto run = [&]() -> Result<registry::PulledImage> {
      oci::Reference ref = BUILDER_TRY(oci::Reference::ParseDockerRef(name));
      oci::ImageStore store = BUILDER_TRY(OpenStore());
      auto progress = MakeProgress(quiet ? ProgressMode::kQuiet : ProgressMode::kAuto, stderr);
      registry::PullOptions options;
      if (!platform.empty()) options.platform = BUILDER_TRY(oci::Platform::Parse(platform));
      options.progress = progress.get();
      if (!quiet) {
        std::cout << (ref.digest() ? ref.digest()->str() : ref.tag()) << ": Pulling from "
                  << ref.path() << std::endl;
        options.on_blob = [](const oci::Descriptor& blob, registry::BlobPull what) {
          if (oci::IsConfig(blob.media_type)) return;  // docker lists layers only
          std::cout << blob.digest.ShortId() << ": "
                    << (what == registry::BlobPull::kFetched ? "Pull complete" : "Already exists") << std::endl;
        };
      }
      auto transport = registry::MakeCurlTransport();
      return registry::PullImage(store, *transport, ref, options);
    };
    auto pulled = run();
    if (!pulled) {
      *status = ReportError(pulled.error());
      return;
    }
    if (!quiet) {
      std::cout << "Digest: " << pulled->digest.str() << '\n';
      std::cout << "Status: "
                << (pulled->updated ? "Downloaded newer image for " : "Image is up to date for ")
                << pulled->reference.FamiliarString() << '\n';
    }
    std::cout << pulled->reference.String() << '\n';
  });
}

}  // namespace builder::cli
