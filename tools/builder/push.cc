// `builder push [-q] [--all-tags] [--compression gzip|zstd] NAME[:TAG] [DEST]`: images to their registry (or to DEST: a
// registry reference, or oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF] as
// skopeo names them), printed as docker does.
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "base/path.h"
#include "base/staged_file.h"
#include "commands.h"
#include "oci/annotations.h"
#include "oci/archive_writer.h"
#include "oci/layout_export.h"
#include "oci/media_types.h"
#include "registry/curl_transport.h"
#include "registry/image_pusher.h"

namespace builder::cli {
namespace {

struct Flags {
  std::string name;
  std::string dest;
  bool quiet = false;
  bool all_tags = false;
  std::vector<std::string> insecure;
  std::string compression;
};

// One image to push: the index.json entry (an index stays an index) and the tag naming it.
struct Source {
  oci::Descriptor entry;
  oci::Reference tag;
};

std::optional<oci::Reference> EntryName(const oci::Descriptor& d) {
  auto n = d.annotations.find(std::string(oci::kAnnotationRefName));
  if (n == d.annotations.end()) return std::nullopt;
  auto ref = oci::Reference::ParseDockerRef(n->second);
  if (!ref) return std::nullopt;
  return *ref;
}

Result<std::vector<Source>> Sources(const oci::ImageStore& store, const Flags& flags) {
  oci::Reference ref = BUILDER_TRY(oci::Reference::ParseDockerRef(flags.name));
  oci::ImageIndex index = BUILDER_TRY(store.ReadIndex());
  std::vector<Source> out;
  for (const oci::Descriptor& d : index.manifests) {
    auto tag = EntryName(d);
    if (!tag) continue;
    bool match = flags.all_tags ? tag->Name() == ref.Name() : *tag == ref;
    if (match) out.push_back({d, *tag});
  }
  if (!out.empty()) return out;
  if (flags.all_tags) return Fail(ErrorCode::kNotFound, "no tags of " + ref.FamiliarName() + " in the store");
  // An id or digest: pushed under the name the user gave.
  oci::StoredImage image = BUILDER_TRY(store.Resolve(flags.name));
  return std::vector<Source>{{image.descriptor, ref}};
}

// "DIR:TAG" -> DIR, TAG: split at the first ':', as skopeo does (paths cannot hold one; a
// docker-archive reference can: "app.tar:my/app:3").
std::pair<std::string, std::string> SplitTransport(std::string_view rest) {
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) return {std::string(rest), ""};
  return {std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
}

Result<void> PushLocal(const oci::ImageStore& store, const std::vector<Source>& sources, const Flags& flags) {
  std::string_view dest = flags.dest;
  if (dest.starts_with("oci:")) {
    auto [dir, tag] = SplitTransport(dest.substr(4));
    if (sources.size() > 1) return Fail(ErrorCode::kInvalidArgument, "oci: takes one image; drop --all-tags");
    return oci::ExportToLayout(store, sources[0].entry, dir, tag);
  }
  bool docker = dest.starts_with("docker-archive:");
  auto [file, name] = SplitTransport(dest.substr(docker ? 15 : 12));
  std::vector<oci::SaveRequest> requests;
  for (const Source& s : sources) {
    oci::SaveRequest request{BUILDER_TRY(store.Load(s.entry)), {s.tag}};
    if (!name.empty()) {
      request.tags = {docker ? BUILDER_TRY(oci::ParseTagReference(name)) : BUILDER_TRY(s.tag.WithTag(name))};
    }
    requests.push_back(std::move(request));
  }
  StagedFile staged = BUILDER_TRY(StagedFile::Create(DirName(file)));
  oci::FdSink sink(staged.fd());
  BUILDER_TRY(oci::SaveImages(store, requests, sink));
  return staged.Commit(file);
}

Result<void> PushRegistry(const oci::ImageStore& store, const std::vector<Source>& sources, const Flags& flags) {
  auto transport = registry::MakeCurlTransport();
  std::optional<oci::Reference> dest;
  if (!flags.dest.empty()) {
    std::string_view d = flags.dest;
    if (d.starts_with("docker://")) d.remove_prefix(9);
    dest = BUILDER_TRY(oci::Reference::ParseDockerRef(d));
  }
  std::mutex mu;
  for (const Source& s : sources) {
    oci::Reference target = dest ? *dest : s.tag;
    if (!flags.quiet) std::cout << "The push refers to repository [" << target.Name() << "]" << std::endl;
    registry::PushOptions options;
    if (flags.compression == "gzip") options.compression = oci::Compression::kGzip;
    else if (flags.compression == "zstd") options.compression = oci::Compression::kZstd;
    else if (!flags.compression.empty())
      return Fail(ErrorCode::kInvalidArgument, "unknown --compression " + flags.compression + " (gzip or zstd)");
    if (!flags.quiet)
      options.on_blob = [&mu](const oci::Descriptor& blob, registry::BlobPush what, const std::string& from) {
        if (oci::IsConfig(blob.media_type)) return;  // docker lists layers only
        std::lock_guard lock(mu);
        std::cout << blob.digest.ShortId() << ": "
                  << (what == registry::BlobPush::kUploaded  ? std::string("Pushed")
                      : what == registry::BlobPush::kMounted ? "Mounted from " + from
                                                             : std::string("Layer already exists"))
                  << std::endl;
      };
    auto pushed = BUILDER_TRY(registry::PushImage(store, *transport, s.entry, target, options));
    if (flags.quiet) {
      std::cout << target.String() << '\n';
    } else {
      std::cout << (target.tag().empty() ? pushed.digest.str() : target.tag()) << ": digest: " << pushed.digest.str()
                << " size: " << pushed.size << std::endl;
    }
  }
  return {};
}

}  // namespace

void RegisterPush(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("push", "Upload an image to a registry");
  static Flags flags;
  cmd->add_option("NAME", flags.name, "Image: NAME[:TAG]")->required();
  cmd->add_option("DEST", flags.dest,
                  "Where to instead: NAME[:TAG], oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF]");
  cmd->add_flag("-q,--quiet", flags.quiet, "Suppress verbose output");
  cmd->add_flag("-a,--all-tags", flags.all_tags, "Push all tags of an image to the repository");
  cmd->add_option("--compression", flags.compression,
                  "Recompress layers stored otherwise (gzip or zstd) and push the rewritten manifest");
  AddInsecureRegistryOption(cmd, &flags.insecure);
  cmd->callback([status] {
    auto run = [&]() -> Result<void> {
      ApplyInsecureRegistries(flags.insecure);
      oci::ImageStore store = BUILDER_TRY(OpenStore());
      std::vector<Source> sources = BUILDER_TRY(Sources(store, flags));
      std::string_view dest = flags.dest;
      if (dest.starts_with("oci:") || dest.starts_with("oci-archive:") || dest.starts_with("docker-archive:"))
        return PushLocal(store, sources, flags);
      return PushRegistry(store, sources, flags);
    };
    if (auto r = run(); !r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
