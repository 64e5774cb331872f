// `builder import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]`: a rootfs tarball as a one-layer image.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "base/progress.h"
#include "base/staged_file.h"
#include "base/unique_fd.h"
#include "commands.h"
#include "oci/rootfs_importer.h"
#include "planner/image_changes.h"
#include "registry/url_fetcher.h"
#include "source_date_epoch.h"

namespace builder::cli {

void RegisterImport(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand(
      "import", "Import the contents from a tarball to create a filesystem image");
  static std::vector<std::string> changes;
  static std::string message, platform, compression = "gzip", source, repository;
  cmd->add_option("-c,--change", changes, "Apply Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  cmd->add_option("-m,--message", message, "Set commit message for imported image");
  cmd->add_option("--platform", platform, "Set platform if server is multi-platform capable");
  cmd->add_option("--compression", compression, "Layer compression: gzip (default) or zstd");
  cmd->add_option("SOURCE", source, "file, URL or - for STDIN")->required();
  cmd->add_option("REPOSITORY", repository, "REPOSITORY[:TAG] to tag the image");
  cmd->callback([status] {
    auto run = [&]() -> Result<oci::ImportResult> {
      oci::ImportOptions options;
      if (compression == "gzip") {
        options.compression.compression = oci::Compression::kGzip;
      } else if (compression == "zstd") {
        options.compression.compression = oci::Compression::kZstd;
      } else {
        return Fail(ErrorCode::kInvalidArgument,
                    "unknown --compression " + compression + " (gzip or zstd)");
      }
      options.source_date_epoch = BUILDER_TRY(SourceDateEpoch());
      if (!platform.empty()) options.platform = BUILDER_TRY(oci::Platform::Parse(platform));
      BUILDER_TRY(planner::ApplyChanges(changes, options.config));
      // docker's CLI streams files and stdin to the daemon as "-"; only URLs keep their name.
      bool url = source.starts_with("http://") || source.starts_with("https://");
      options.comment = !message.empty() ? message : "Imported from " + (url ? source : "-");
      if (!repository.empty()) options.tag = BUILDER_TRY(oci::ParseTagReference(repository));

      oci::ImageStore store = BUILDER_TRY(OpenStore());
      auto progress = MakeProgress(ProgressMode::kAuto, stderr);
      options.progress = progress.get();
      UniqueFd fd;
      std::optional<StagedFile> download;
      int in = STDIN_FILENO;
      if (url) {
        // Downloaded to tmp/ first: the import then reads a complete, seekable file.
        download.emplace(BUILDER_TRY(store.blobs().Stage()));
        oci::FdSink sink(download->fd());
        BUILDER_TRY(registry::FetchUrl(source, sink, progress.get()));
        if (::lseek(download->fd(), 0, SEEK_SET) != 0) return FailErrno("seek download", errno);
        in = download->fd();
      } else if (source != "-") {
        fd = UniqueFd(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return FailErrno("open " + source, errno);
        in = fd.get();
      }
      struct stat st {};
      if (::fstat(in, &st) == 0 && S_ISREG(st.st_mode))
        options.total = static_cast<std::uint64_t>(st.st_size);
      oci::FdSource input(in);
      return oci::ImportRootfs(store, input, options);
    };
    auto imported = run();
    if (!imported) {
      *status = ReportError(imported.error());
      return;
    }
    std::cout << imported->id.str() << '\n';
  });
}

}  // namespace builder::cli
