// LoadImages: resolves staged archive contents into verified images, then tags them.
#include "oci/archive_loader.h"

#include <unistd.h>

#include <array>
#include <map>
#include <optional>

#include "base/file_lock.h"
#include "oci/annotations.h"
#include "oci/compression.h"
#include "oci/docker_archive.h"
#include "oci/image_index.h"
#include "oci/layer_entry_check.h"
#include "oci/layer_stream.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "oci/platform.h"

namespace builder::oci {
namespace {

constexpr int kMaxIndexDepth = 4;

std::string BlobPath(const Digest& digest) {
  return "blobs/" + std::string(digest.algorithm()) + "/" + std::string(digest.hex());
}

Descriptor WithoutAnnotations(Descriptor d) {
  d.annotations.clear();
  d.platform.reset();
  return d;
}

class Loader {
 public:
  Loader(const ImageStore& store, ArchiveContents& contents)
      : store_(store), contents_(contents) {}

  Result<std::vector<LoadedImage>> Run() {
    auto index = contents_.Metadata("index.json");
    auto manifest = contents_.Metadata("manifest.json");
    // An empty index.json beside a manifest.json (some exporters) defers to the latter.
    if (index && manifest && BUILDER_TRY(ImageIndex::Parse(*index)).manifests.empty()) {
      index.reset();
    }
    if (index) {
      BUILDER_TRY(LoadOci(*index));
    } else if (manifest) {
      BUILDER_TRY(LoadDocker(*manifest));
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  "not an image archive: neither index.json nor manifest.json found");
    }
    if (images_.empty()) return Fail(ErrorCode::kNotFound, "the archive holds no images");
    // Everything is verified and published: only now do names point at it.
    for (const LoadedImage& image : images_) {
      for (const Reference& tag : image.tags) BUILDER_TRY(store_.Tag(image.manifest, tag));
      if (image.tags.empty()) BUILDER_TRY(store_.AddUntagged(image.manifest));
    }
    return images_;
  }

 private:
  Result<void> EnsureLocked() {
    if (!lock_) lock_.emplace(BUILDER_TRY(store_.LockBlobsShared()));
    return {};
  }

  Result<void> Publish(StagedEntry* entry) {
    if (!entry || !entry->file) return {};
    BUILDER_TRY(EnsureLocked());
    BUILDER_TRY(store_.blobs().Commit(std::move(*entry->file), entry->digest));
    entry->file.reset();
    return {};
  }

  // The archive's copy of a blob; nullptr when the archive lacks it but the store has it.
  Result<StagedEntry*> BlobEntry(const Descriptor& d) {
    auto entry = contents_.Get(BlobPath(d.digest));
    if (!entry) {
      if (entry.error().code() == ErrorCode::kNotFound && store_.blobs().Has(d.digest))
        return nullptr;
      return Fail(std::move(entry).error().Context("blob " + d.digest.str()));
    }
    if ((*entry)->size != d.size) {
      return Fail(ErrorCode::kCorrupt, "blob " + d.digest.str() + " has " +
                                           std::to_string((*entry)->size) + " bytes, " +
                                           std::to_string(d.size) + " expected");
    }
    return *entry;
  }

  Result<std::string> ReadBlob(const Descriptor& d) {
    StagedEntry* entry = BUILDER_TRY(BlobEntry(d));
    if (!entry || !entry->file) return store_.blobs().Read(d);
    return ReadStaged(*entry);
  }

  // Decompresses the layer, checks both digests and, in the same pass, its entries with the
  // unpacker's rules over the image's lower layers (`check`); `what` names it in errors.
  Result<void> VerifyLayer(StagedEntry* entry, const Digest& digest, Compression compression,
                           const Digest& diff_id, const std::string& what, LayerEntryCheck& check) {
    UniqueFd own;
    int fd = -1;
    if (entry && entry->file) {
      fd = entry->file->fd();
      if (::lseek(fd, 0, SEEK_SET) != 0) return FailErrno("seek staged layer", errno);
    } else {
      own = BUILDER_TRY(store_.blobs().OpenFd(digest));
      fd = own.get();
    }
    auto checked = [&]() -> Result<void> {
      auto reader = BUILDER_TRY(
          LayerBlobReader::Open(fd, compression, {digest, diff_id}));
      check.NextLayer();
      BUILDER_TRY(CheckLayerEntries(*reader, check));
      return {};
    }();
    if (!checked) return Fail(std::move(checked).error().Context("layer " + what));
    return {};
  }

  // --- OCI layouts (index.json) ---

  Result<void> LoadOci(const std::string& index_json) {
    ImageIndex index = BUILDER_TRY(ImageIndex::Parse(index_json));
    std::map<Digest, std::size_t> seen;
    std::vector<std::pair<std::size_t, Reference>> tags;
    for (const Descriptor& entry : index.manifests) {
      auto it = seen.find(entry.digest);
      if (it == seen.end()) {
        Digest config = BUILDER_TRY(LoadEntry(entry, 0));
        it = seen.emplace(entry.digest, images_.size()).first;
        images_.push_back({WithoutAnnotations(entry), config, {}});
      }
      if (auto name = BUILDER_TRY(EntryName(entry))) {
        auto& list = images_[it->second].tags;
        if (std::find(list.begin(), list.end(), *name) == list.end()) list.push_back(*name);
      }
    }
    return {};
  }

  // The tag an index.json entry carries, if it names a repository.
  static Result<std::optional<Reference>> EntryName(const Descriptor& entry) {
    if (auto it = entry.annotations.find(std::string(kAnnotationContainerdImageName));
        it != entry.annotations.end()) {
      auto ref = ParseTagReference(it->second);
      if (!ref) return Fail(std::move(ref).error().Context("image name " + it->second));
      return std::optional<Reference>(*ref);
    }
    if (auto it = entry.annotations.find(std::string(kAnnotationRefName));
        it != entry.annotations.end()) {
      // A bare tag ("1", "latest") has no repository to go with it.
      if (it->second.find_first_of("/:") == std::string::npos) return std::nullopt;
      auto ref = ParseTagReference(it->second);
      if (ref) return std::optional<Reference>(*ref);
    }
    return std::nullopt;
  }

  // Loads a manifest or index entry; returns the config digest of its (host) image.
  Result<Digest> LoadEntry(const Descriptor& entry, int depth) {
    if (IsManifest(entry.media_type)) return LoadManifest(entry);
    if (!IsIndex(entry.media_type)) {
      return Fail(ErrorCode::kUnsupported, "index.json entry " + entry.digest.str() +
                                               " has media type " + entry.media_type);
    }
    if (depth >= kMaxIndexDepth) {
      return Fail(ErrorCode::kCorrupt, "image indexes nested deeper than " +
                                           std::to_string(kMaxIndexDepth) + " levels");
    }
    StagedEntry* staged = BUILDER_TRY(BlobEntry(entry));
    std::string index_bytes = BUILDER_TRY(ReadBlob(entry));
    ImageIndex index = BUILDER_TRY(ImageIndex::Parse(index_bytes));
    std::optional<Digest> first, host;
    const Platform want = Platform::Host();
    for (const Descriptor& child : index.manifests) {
      // Indexes may list platforms the archive does not carry; load what is there.
      if (!store_.blobs().Has(child.digest) && !contents_.Get(BlobPath(child.digest))) continue;
      auto loaded = LoadEntry(child, depth + 1);
      // containerd exports keep other platforms' manifests without their layers.
      if (!loaded && loaded.error().code() == ErrorCode::kNotFound) continue;
      Digest config = BUILDER_TRY(std::move(loaded));
      if (!first) first = config;
      if (!host && child.platform && want.Matches(*child.platform)) host = config;
    }
    if (!first) {
      return Fail(ErrorCode::kNotFound,
                  "image index " + entry.digest.str() + ": the archive holds none of its manifests");
    }
    BUILDER_TRY(Publish(staged));
    return host ? *host : *first;
  }

  Result<Digest> LoadManifest(const Descriptor& desc) {
    auto loaded = [&]() -> Result<Digest> {
      StagedEntry* staged = BUILDER_TRY(BlobEntry(desc));
      std::string manifest_bytes = BUILDER_TRY(ReadBlob(desc));
      Manifest manifest = BUILDER_TRY(Manifest::Parse(manifest_bytes));
      StagedEntry* config_entry = BUILDER_TRY(BlobEntry(manifest.config));
      std::string config_bytes = BUILDER_TRY(ReadBlob(manifest.config));
      ImageConfig config = BUILDER_TRY(ImageConfig::Parse(config_bytes));
      BUILDER_TRY(CheckLayerCount(config, manifest.layers.size()));
      std::vector<StagedEntry*> layers;
      LayerEntryCheck check;
      for (std::size_t i = 0; i < manifest.layers.size(); ++i) {
        const Descriptor& layer = manifest.layers[i];
        if (!IsLayer(layer.media_type)) {
          return Fail(ErrorCode::kUnsupported, "layer " + layer.digest.str() +
                                                   " has media type " + layer.media_type);
        }
        StagedEntry* entry = BUILDER_TRY(BlobEntry(layer));
        BUILDER_TRY(VerifyLayer(entry, layer.digest, LayerCompressionOf(layer.media_type),
                                config.rootfs.diff_ids[i], layer.digest.str(), check));
        layers.push_back(entry);
      }
      for (StagedEntry* entry : layers) BUILDER_TRY(Publish(entry));
      BUILDER_TRY(Publish(config_entry));
      BUILDER_TRY(Publish(staged));
      return manifest.config.digest;
    }();
    if (!loaded) return Fail(std::move(loaded).error().Context("manifest " + desc.digest.str()));
    return loaded;
  }

  static Result<void> CheckLayerCount(const ImageConfig& config, std::size_t layers) {
    if (config.rootfs.diff_ids.size() != layers) {
      return Fail(ErrorCode::kCorrupt, "config lists " +
                                           std::to_string(config.rootfs.diff_ids.size()) +
                                           " diff_ids for " + std::to_string(layers) + " layers");
    }
    return {};
  }

  // --- docker-archive (manifest.json) ---

  Result<void> LoadDocker(const std::string& manifest_json) {
    auto images = BUILDER_TRY(ParseDockerArchiveManifest(manifest_json));
    for (const DockerArchiveImage& image : images) {
      auto r = LoadDockerImage(image);
      if (!r) return Fail(std::move(r).error().Context("image " + image.config));
    }
    return {};
  }

  Result<void> LoadDockerImage(const DockerArchiveImage& image) {
    StagedEntry* config_entry = BUILDER_TRY(contents_.Get(image.config));
    if (!config_entry->file) return Fail(ErrorCode::kInternal, "config published twice");
    std::string config_bytes = BUILDER_TRY(ReadStaged(*config_entry));
    ImageConfig config = BUILDER_TRY(ImageConfig::Parse(config_bytes));
    BUILDER_TRY(CheckLayerCount(config, image.layers.size()));
    Manifest manifest;
    manifest.media_type = std::string(kOciManifest);
    manifest.config.media_type = std::string(kOciConfig);
    manifest.config.digest = config_entry->digest;
    manifest.config.size = config_entry->size;
    std::vector<StagedEntry*> layers;
    LayerEntryCheck check;
    for (std::size_t i = 0; i < image.layers.size(); ++i) {
      StagedEntry* entry = BUILDER_TRY(contents_.Get(image.layers[i]));
      Compression compression = BUILDER_TRY(DetectStaged(*entry));
      BUILDER_TRY(VerifyLayer(entry, entry->digest, compression, config.rootfs.diff_ids[i],
                              image.layers[i], check));
      Descriptor layer;
      layer.media_type = std::string(LayerMediaType(ImageFormat::kOci, compression));
      layer.digest = entry->digest;
      layer.size = entry->size;
      manifest.layers.push_back(std::move(layer));
      layers.push_back(entry);
    }
    LoadedImage loaded;
    for (const std::string& name : image.repo_tags) {
      auto ref = ParseTagReference(name);
      if (!ref) return Fail(std::move(ref).error().Context("RepoTags entry " + name));
      loaded.tags.push_back(*ref);
    }
    for (StagedEntry* entry : layers) BUILDER_TRY(Publish(entry));
    BUILDER_TRY(Publish(config_entry));
    loaded.manifest = BUILDER_TRY(store_.blobs().Put(kOciManifest, manifest.Serialize()));
    loaded.id = manifest.config.digest;
    images_.push_back(std::move(loaded));
    return {};
  }

  // The compression of a layer from its first bytes (docker-archive layers carry no type).
  Result<Compression> DetectStaged(const StagedEntry& entry) {
    std::array<std::uint8_t, 4> head{};
    ssize_t n = 0;
    if (entry.file) {
      n = ::pread(entry.file->fd(), head.data(), head.size(), 0);
    } else {
      UniqueFd fd = BUILDER_TRY(store_.blobs().OpenFd(entry.digest));
      n = ::pread(fd.get(), head.data(), head.size(), 0);
    }
    if (n < 0) return FailErrno("read layer header", errno);
    return DetectCompression({head.data(), static_cast<std::size_t>(n)});
  }

  const ImageStore& store_;
  ArchiveContents& contents_;
  std::optional<FileLock> lock_;
  std::vector<LoadedImage> images_;
};

}  // namespace

Result<std::vector<LoadedImage>> LoadImagesFrom(const ImageStore& store,
                                                ArchiveContents& contents) {
  return Loader(store, contents).Run();
}

Result<std::vector<LoadedImage>> LoadImages(const ImageStore& store, ByteSource& in,
                                            const LoadOptions& options) {
  if (options.progress) options.progress->Start("Loading", options.total);
  auto contents = BUILDER_TRY(ReadArchiveStream(store.blobs(), in, options.progress));
  if (options.progress) options.progress->Finish();
  return LoadImagesFrom(store, *contents);
}

Result<std::vector<LoadedImage>> LoadImagesFromLayout(const ImageStore& store,
                                                      const std::string& dir,
                                                      const LoadOptions&) {
  auto contents = BUILDER_TRY(OpenLayoutDirectory(store.blobs(), dir));
  return LoadImagesFrom(store, *contents);
}

}  // namespace builder::oci
