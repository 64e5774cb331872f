// `builder load [-i FILE] [-q]`: images from a docker-archive, an OCI archive or layout.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "base/progress.h"
#include "base/unique_fd.h"
#include "commands.h"
#include "oci/archive_loader.h"

namespace builder::cli {

void RegisterLoad(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand(
      "load", "Load images from a tar archive (docker save or OCI, optionally gzip/zstd "
              "compressed) or an OCI layout directory, or STDIN");
  static std::string input;
  static bool quiet = false;
  cmd->add_option("-i,--input", input, "Read from tar archive file or OCI layout directory, "
                                       "instead of STDIN");
  cmd->add_flag("-q,--quiet", quiet, "Suppress the load output");
  cmd->callback([status] {
    auto run = [&]() -> Result<std::vector<oci::LoadedImage>> {
      // Entries are staged (one open temp file each) until the metadata is seen: allow as many
      // descriptors as the hard limit permits for archives with many layers.
      rlimit files{};
      if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        (void)::setrlimit(RLIMIT_NOFILE, &files);
      }
      oci::ImageStore store = BUILDER_TRY(OpenStore());
      auto progress = MakeProgress(quiet ? ProgressMode::kQuiet : ProgressMode::kAuto, stderr);
      oci::LoadOptions options{.progress = progress.get()};
      struct stat st {};
      if (!input.empty() && ::stat(input.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        return oci::LoadImagesFromLayout(store, input, options);
      }
      UniqueFd fd;
      int in = STDIN_FILENO;
      if (!input.empty()) {
        fd = UniqueFd(::open(input.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return FailErrno("open " + input, errno);
        in = fd.get();
      } else if (::isatty(STDIN_FILENO)) {
        return Fail(ErrorCode::kInvalidArgument,
                    "requested load from stdin, but stdin is empty");
      }
      if (::fstat(in, &st) == 0 && S_ISREG(st.st_mode))
        options.total = static_cast<std::uint64_t>(st.st_size);
      oci::FdSource source(in);
      return oci::LoadImages(store, source, options);
    };
    auto loaded = run();
    if (!loaded) {
      *status = ReportError(loaded.error());
      return;
    }
    for (const oci::LoadedImage& image : *loaded) {
      if (image.tags.empty()) std::cout << "Loaded image ID: " << image.id.str() << '\n';
      for (const oci::Reference& tag : image.tags)
        std::cout << "Loaded image: " << tag.FamiliarString() << '\n';
    }
  });
}

}  // namespace builder::cli
