// `builder save [-o FILE] IMAGE...`: images to one tar, both a docker-archive and an OCI archive.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "base/path.h"
#include "base/progress.h"
#include "base/staged_file.h"
#include "commands.h"
#include "oci/archive_writer.h"

namespace builder::cli {
namespace {

// What docker records for each name: a tag names itself, a bare repository name every tag of
// that repository, an id or digest nothing.
Result<std::vector<oci::SaveRequest>> Requests(const oci::ImageStore& store,
                                               const std::vector<std::string>& names) {
  std::vector<oci::SaveRequest> requests;
  std::map<oci::Digest, std::size_t> position;
  auto add = [&](const oci::StoredImage& image, std::optional<oci::Reference> tag) {
    auto it = position.find(image.digest());
    if (it == position.end()) {
      it = position.emplace(image.digest(), requests.size()).first;
      requests.push_back({image, {}});
    }
    auto& tags = requests[it->second].tags;
    if (tag && std::find(tags.begin(), tags.end(), *tag) == tags.end()) tags.push_back(*tag);
  };
  for (const std::string& name : names) {
    oci::StoredImage image = BUILDER_TRY(store.Resolve(name));
    auto ref = oci::Reference::Parse(name);
    bool by_name = ref && !ref->digest() &&
                   std::any_of(image.tags.begin(), image.tags.end(), [&](const oci::Reference& t) {
                     return t.Name() == ref->Name();
                   });
    if (!by_name) {
      add(image, std::nullopt);
    } else if (!ref->tag().empty()) {
      add(image, ref->WithDefaultTag());
    } else {
      for (const oci::StoredImage& other : BUILDER_TRY(store.List()))
        for (const oci::Reference& t : other.tags)
          if (t.Name() == ref->Name()) add(other, t);
    }
  }
  return requests;
}

}  // namespace

void RegisterSave(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("save", "Save one or more images to a tar archive (streamed to "
                                         "STDOUT by default)");
  static std::string output;
  static std::vector<std::string> names;
  cmd->add_option("-o,--output", output, "Write to a file, instead of STDOUT");
  cmd->add_option("IMAGE", names, "Images to save")->required();
  cmd->callback([status] {
    auto run = [&]() -> Result<void> {
      if (output.empty() && ::isatty(STDOUT_FILENO)) {
        return Fail(ErrorCode::kInvalidArgument,
                    "cowardly refusing to save to a terminal. Use the -o flag or redirect");
      }
      oci::ImageStore store = BUILDER_TRY(OpenStore());
      auto requests = BUILDER_TRY(Requests(store, names));
      auto progress = MakeProgress(ProgressMode::kAuto, stderr);
      oci::SaveOptions options{.progress = output.empty() ? nullptr : progress.get()};
      if (output.empty()) {
        oci::FdSink sink(STDOUT_FILENO);
        return oci::SaveImages(store, requests, sink, options);
      }
      // Written beside the target and renamed over it: never a half-written archive.
      StagedFile staged = BUILDER_TRY(StagedFile::Create(DirName(output)));
      oci::FdSink sink(staged.fd());
      BUILDER_TRY(oci::SaveImages(store, requests, sink, options));
      return staged.Commit(output);
    };
    if (auto r = run(); !r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
