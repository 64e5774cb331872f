// SaveImages: gathers the blobs of the requested images and writes them with the metadata of
// both archive formats, in sorted order.
#include "oci/archive_writer.h"

#include <map>
#include <set>

#include "oci/annotations.h"
#include "oci/docker_archive.h"
#include "oci/image_index.h"
#include "oci/platform.h"
#include "oci/progress_source.h"
#include "oci/tar_writer.h"

namespace builder::oci {
namespace {

std::string BlobPath(const Digest& digest) { return "blobs/sha256/" + std::string(digest.hex()); }

// The manifest descriptor to save for an image: index entries become their host manifest.
Result<Descriptor> ManifestDescriptor(const ImageStore& store, const StoredImage& image) {
  if (!IsIndex(image.descriptor.media_type)) return image.descriptor;
  std::string bytes = BUILDER_TRY(store.blobs().Read(image.descriptor));
  ImageIndex index = BUILDER_TRY(ImageIndex::Parse(bytes));
  auto found = index.FindPlatform(Platform::Host());
  if (found.empty()) {
    return Fail(ErrorCode::kNotFound,
                "image index " + image.descriptor.digest.str() + " has no manifest for " +
                    Platform::Host().ToString());
  }
  Descriptor d = *found.front();
  d.platform.reset();
  return d;
}

}  // namespace

Result<void> SaveImages(const ImageStore& store, const std::vector<SaveRequest>& requests,
                        ByteSink& out, const SaveOptions& options) {
  std::map<Digest, std::int64_t> blobs;  // digest -> size; sorted by digest = by path
  ImageIndex index;
  std::vector<DockerArchiveImage> docker;
  DockerRepositories repositories;
  std::set<Digest> untagged_saved;
  for (const SaveRequest& request : requests) {
    const StoredImage& image = request.image;
    Descriptor manifest = BUILDER_TRY(ManifestDescriptor(store, image));
    manifest.annotations.clear();
    blobs[manifest.digest] = manifest.size;
    blobs[image.manifest.config.digest] = image.manifest.config.size;
    DockerArchiveImage entry;
    entry.config = BlobPath(image.manifest.config.digest);
    for (const Descriptor& layer : image.manifest.layers) {
      blobs[layer.digest] = layer.size;
      entry.layers.push_back(BlobPath(layer.digest));
    }
    for (const Reference& tag : request.tags) {
      Descriptor named = manifest;
      named.annotations[std::string(kAnnotationContainerdImageName)] = tag.String();
      named.annotations[std::string(kAnnotationRefName)] = tag.tag();
      index.manifests.push_back(std::move(named));
      entry.repo_tags.push_back(tag.FamiliarString());
      if (!image.manifest.layers.empty()) {
        repositories[tag.FamiliarName()][tag.tag()] =
            std::string(image.manifest.layers.back().digest.hex());
      }
    }
    if (request.tags.empty() && untagged_saved.insert(manifest.digest).second) {
      index.manifests.push_back(manifest);
    }
    docker.push_back(std::move(entry));
  }

  std::uint64_t total = 0;
  for (const auto& [digest, size] : blobs) total += static_cast<std::uint64_t>(size);
  if (options.progress) options.progress->Start("Saving", total);

  auto tar = BUILDER_TRY(TarWriter::Create(out));
  BUILDER_TRY(tar->AddDirectory("blobs", 0));
  BUILDER_TRY(tar->AddDirectory("blobs/sha256", 0));
  for (const auto& [digest, size] : blobs) {
    auto source = BUILDER_TRY(store.blobs().Open(digest, size));
    ProgressSource counted(*source, options.progress);
    // AddStream reads to the end, where Open() checks the digest.
    auto added = tar->AddStream(BlobPath(digest), size, counted, 0);
    if (!added) return Fail(std::move(added).error().Context("save blob " + digest.str()));
  }
  BUILDER_TRY(tar->AddBytes("index.json", index.Serialize(), 0));
  BUILDER_TRY(tar->AddBytes("manifest.json", SerializeDockerArchiveManifest(docker), 0));
  BUILDER_TRY(tar->AddBytes("oci-layout", R"({"imageLayoutVersion":"1.0.0"})", 0));
  BUILDER_TRY(tar->AddBytes("repositories", SerializeDockerRepositories(repositories), 0));
  BUILDER_TRY(tar->Close());
  if (options.progress) options.progress->Finish();
  return {};
}

}  // namespace builder::oci
