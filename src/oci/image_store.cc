// The local image store: layout creation, index.json updates under flock, tags and lookups.
#include "oci/image_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <set>

#include "base/path.h"
#include "base/staged_file.h"
#include "oci/json_codec.h"
#include "oci/platform.h"

namespace builder::oci {

namespace {

constexpr std::string_view kLayoutJson = R"({"imageLayoutVersion":"1.0.0"})";
constexpr int kMaxIndexDepth = 4;

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

/// The tag an index.json entry carries, normalized; nullopt for unnamed entries and names that
/// are not tag references (those are kept in index.json but count as untagged here).
std::optional<Reference> EntryTag(const Descriptor& entry) {
  auto it = entry.annotations.find(std::string(kAnnotationRefName));
  if (it == entry.annotations.end()) return std::nullopt;
  auto ref = Reference::ParseDockerRef(it->second);
  if (!ref || ref->digest()) return std::nullopt;
  return *ref;
}

Descriptor WithoutName(Descriptor d) {
  d.annotations.erase(std::string(kAnnotationRefName));
  return d;
}

bool IsHexPrefix(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::unexpected<Error> NoSuchImage(std::string_view name) {
  return Fail(ErrorCode::kNotFound, "No such image: " + std::string(name));
}

}  // namespace

std::int64_t StoredImage::Size() const {
  std::int64_t total = manifest.config.size;
  for (const Descriptor& layer : manifest.layers) total += layer.size;
  return total;
}

Result<Reference> ParseTagReference(std::string_view text) {
  Reference ref = BUILDER_TRY(Reference::ParseDockerRef(text));
  if (ref.digest()) {
    return Fail(ErrorCode::kInvalidArgument,
                "reference " + std::string(text) + " names a digest; a tag is required");
  }
  return ref;
}

Result<std::string> ImageStore::DefaultRoot() {
  const char* env = std::getenv("BUILDER_ROOT");
  if (env != nullptr && *env != '\0') return CleanPath(env);
  if (::geteuid() == 0) return std::string("/var/lib/builder");
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && xdg[0] == '/') return JoinPath(xdg, "builder");
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return JoinPath(home, ".local/share/builder");
  return Fail(ErrorCode::kInvalidArgument,
              "cannot choose a store directory: set BUILDER_ROOT (or HOME/XDG_DATA_HOME)");
}

Result<ImageStore> ImageStore::Open(std::string root) {
  auto opened = [&]() -> Result<ImageStore> {
    ImageStore store(BUILDER_TRY(BlobStore::Open(std::move(root))));
    BUILDER_TRY(MakeDirs(JoinPath(store.root(), "locks")));
    BUILDER_TRY(MakeDirs(JoinPath(store.root(), "snapshots")));
    const std::string layout = JoinPath(store.root(), "oci-layout");
    if (!Exists(layout)) {
      BUILDER_TRY(WriteFileAtomic(layout, kLayoutJson));
    } else {
      std::string text = BUILDER_TRY(ReadFile(layout));
      auto doc = BUILDER_TRY(json::ParseObject(text, "oci-layout"));
      std::string version = BUILDER_TRY(json::RequiredString(doc, "", "imageLayoutVersion"));
      if (!version.starts_with("1.")) {
        return Fail(ErrorCode::kCorrupt, "oci-layout: unsupported imageLayoutVersion " + version);
      }
    }
    const std::string index = JoinPath(store.root(), "index.json");
    if (!Exists(index)) {
      FileLock lock = BUILDER_TRY(FileLock::Acquire(store.LockPath("index"),
                                                    FileLock::Mode::kExclusive));
      if (!Exists(index)) {
        StagedFile staged = BUILDER_TRY(StagedFile::CreateLeased(store.blobs_.TmpDir()));
        BUILDER_TRY(staged.Write(ImageIndex{}.Serialize()));
        BUILDER_TRY(staged.Commit(index));
      }
    }
    return store;
  }();
  if (!opened) return Fail(std::move(opened.error()).Context("open store"));
  return opened;
}

std::string ImageStore::LockPath(std::string_view name) const {
  return JoinPath(JoinPath(root(), "locks"), name);
}

Result<FileLock> ImageStore::LockBlobsShared() const {
  return FileLock::Acquire(LockPath("gc"), FileLock::Mode::kShared);
}

Result<ImageIndex> ImageStore::ReadIndex() const {
  const std::string path = JoinPath(root(), "index.json");
  auto text = ReadFile(path);
  if (!text) return Fail(std::move(text.error()).Context("read index.json"));
  auto index = ImageIndex::Parse(*text);
  if (!index) return Fail(std::move(index.error()).Context("read index.json"));
  return index;
}

Result<void> ImageStore::UpdateIndex(const std::function<Result<void>(ImageIndex&)>& edit) const {
  FileLock lock = BUILDER_TRY(FileLock::Acquire(LockPath("index"), FileLock::Mode::kExclusive));
  ImageIndex index = BUILDER_TRY(ReadIndex());
  const std::string before = index.Serialize();
  BUILDER_TRY(edit(index));
  std::string after = index.Serialize();
  // Re-tagging an image where it is (every no-op rebuild) needs no write and no fsync.
  if (after == before) return {};
  StagedFile staged = BUILDER_TRY(StagedFile::CreateLeased(blobs_.TmpDir()));
  BUILDER_TRY(staged.Write(after));
  auto committed = staged.Commit(JoinPath(root(), "index.json"));
  if (!committed) return Fail(std::move(committed.error()).Context("write index.json"));
  return {};
}

Result<Descriptor> ImageStore::PlatformManifest(const Descriptor& index_entry) const {
  Descriptor current = index_entry;
  const Platform host = Platform::Host();
  for (int depth = 0; depth < kMaxIndexDepth; ++depth) {
    if (!IsIndex(current.media_type)) return current;
    std::string bytes = BUILDER_TRY(blobs_.Read(current));
    ImageIndex index = BUILDER_TRY(ImageIndex::Parse(bytes));
    std::vector<const Descriptor*> matches = index.FindPlatform(host);
    if (matches.empty()) {
      return Fail(ErrorCode::kNotFound, "image index " + current.digest.str() +
                                            " has no manifest for " + host.ToString());
    }
    current = *matches.front();
  }
  return Fail(ErrorCode::kUnsupported,
              "image index " + index_entry.digest.str() + " nests indexes too deeply");
}

Result<StoredImage> ImageStore::Load(const Descriptor& entry) const {
  auto loaded = [&]() -> Result<StoredImage> {
    StoredImage image;
    image.descriptor = WithoutName(entry);
    Descriptor manifest_desc = entry;
    if (IsIndex(entry.media_type)) {
      manifest_desc = BUILDER_TRY(PlatformManifest(entry));
    } else if (!IsManifest(entry.media_type)) {
      return Fail(ErrorCode::kUnsupported, "media type " + entry.media_type + " is not an image");
    }
    std::string manifest_bytes = BUILDER_TRY(blobs_.Read(manifest_desc));
    image.manifest = BUILDER_TRY(Manifest::Parse(manifest_bytes));
    std::string config_bytes = BUILDER_TRY(blobs_.Read(image.manifest.config));
    image.config = BUILDER_TRY(ImageConfig::Parse(config_bytes));
    return image;
  }();
  if (!loaded) return Fail(std::move(loaded.error()).Context("load image " + entry.digest.str()));
  return loaded;
}

Result<std::vector<StoredImage>> ImageStore::List(std::vector<Error>* damaged) const {
  ImageIndex index = BUILDER_TRY(ReadIndex());
  std::vector<StoredImage> images;
  std::map<Digest, std::size_t> position;
  std::set<Digest> broken;
  for (const Descriptor& entry : index.manifests) {
    if (broken.contains(entry.digest)) continue;
    auto it = position.find(entry.digest);
    if (it == position.end()) {
      auto loaded = Load(entry);
      if (!loaded) {
        if (damaged == nullptr) return Fail(std::move(loaded.error()));
        damaged->push_back(std::move(loaded.error()));
        broken.insert(entry.digest);
        continue;
      }
      it = position.emplace(entry.digest, images.size()).first;
      images.push_back(std::move(*loaded));
    }
    if (auto tag = EntryTag(entry)) {
      auto& tags = images[it->second].tags;
      if (std::find(tags.begin(), tags.end(), *tag) == tags.end()) tags.push_back(*tag);
    }
  }
  return images;
}

Result<StoredImage> ImageStore::Resolve(std::string_view name) const {
  std::string_view hex = name;
  const bool prefixed = hex.starts_with("sha256:");
  if (prefixed) hex.remove_prefix(7);
  const bool full_id = hex.size() == 64 && IsHexPrefix(hex);  // never a reference
  std::optional<Reference> ref;
  if (!prefixed && !full_id) {
    auto parsed = Reference::ParseDockerRef(name);
    if (parsed) ref = std::move(*parsed);
    else if (!IsHexPrefix(hex)) return Fail(std::move(parsed.error()));
  }
  // A tag names one index entry: load that image only (a damaged one says why it cannot be
  // used), not every image in the store.
  if (ref && !ref->digest()) {
    ImageIndex index = BUILDER_TRY(ReadIndex());
    for (const Descriptor& entry : index.manifests) {
      if (EntryTag(entry) != *ref) continue;
      StoredImage image = BUILDER_TRY(Load(entry));
      for (const Descriptor& other : index.manifests) {
        auto tag = other.digest == entry.digest ? EntryTag(other) : std::nullopt;
        if (tag && std::find(image.tags.begin(), image.tags.end(), *tag) == image.tags.end())
          image.tags.push_back(*tag);
      }
      return image;
    }
  }
  std::vector<Error> damaged;
  std::vector<StoredImage> images = BUILDER_TRY(List(&damaged));
  if (full_id) {
    for (const StoredImage& image : images) {
      if (image.id().hex() == hex) return image;
    }
    return NoSuchImage(name);
  }
  if (ref && ref->digest()) {
    for (const StoredImage& image : images) {
      if (image.digest() != *ref->digest()) continue;
      bool named = image.tags.empty() ||
                   std::any_of(image.tags.begin(), image.tags.end(),
                               [&](const Reference& t) { return t.Name() == ref->Name(); });
      if (named) return image;
    }
  }
  if (!IsHexPrefix(hex)) return NoSuchImage(name);
  const StoredImage* found = nullptr;
  for (const StoredImage& image : images) {
    if (!image.id().hex().starts_with(hex)) continue;
    if (found != nullptr && found->id() != image.id()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "image id prefix " + std::string(name) + " is ambiguous (" +
                      found->id().ShortId() + ", " + image.id().ShortId() + ", ...)");
    }
    if (found == nullptr) found = &image;
  }
  if (found == nullptr) return NoSuchImage(name);
  return *found;
}

Result<void> ImageStore::Tag(const Descriptor& manifest, const Reference& ref_in) const {
  if (ref_in.digest()) {
    return Fail(ErrorCode::kInvalidArgument,
                "cannot tag with a digest reference: " + ref_in.FamiliarString());
  }
  const Reference ref = ref_in.WithDefaultTag();
  if (!blobs_.Has(manifest.digest)) {
    return Fail(ErrorCode::kNotFound, "tag " + ref.FamiliarString() + ": manifest " +
                                          manifest.digest.str() + " is not in the store");
  }
  return UpdateIndex([&](ImageIndex& index) -> Result<void> {
    auto& entries = index.manifests;
    std::vector<Descriptor> moved_from;
    for (auto it = entries.begin(); it != entries.end();) {
      if (EntryTag(*it) == ref) {
        if (it->digest == manifest.digest) return {};  // already there
        moved_from.push_back(WithoutName(*it));
        it = entries.erase(it);
      } else if (it->digest == manifest.digest && !it->annotations.contains(
                                                      std::string(kAnnotationRefName))) {
        it = entries.erase(it);  // the untagged entry of this image becomes a tagged one
      } else {
        ++it;
      }
    }
    // Like docker, an image that loses its last tag to a move stays, untagged (dangling).
    for (const Descriptor& old : moved_from) {
      bool still_listed = std::any_of(entries.begin(), entries.end(),
                                      [&](const Descriptor& e) { return e.digest == old.digest; });
      if (!still_listed) entries.push_back(old);
    }
    Descriptor entry = WithoutName(manifest);
    entry.annotations[std::string(kAnnotationRefName)] = ref.String();
    entries.push_back(std::move(entry));
    return {};
  });
}

Result<bool> ImageStore::Untag(const Reference& ref_in) const {
  const Reference ref = ref_in.WithDefaultTag();
  bool last = false;
  BUILDER_TRY(UpdateIndex([&](ImageIndex& index) -> Result<void> {
    auto& entries = index.manifests;
    std::set<Digest> removed;
    std::erase_if(entries, [&](const Descriptor& e) {
      if (EntryTag(e) != ref) return false;
      removed.insert(e.digest);
      return true;
    });
    if (removed.empty()) return NoSuchImage(ref.FamiliarString());
    last = std::none_of(entries.begin(), entries.end(),
                        [&](const Descriptor& e) { return removed.contains(e.digest); });
    return {};
  }));
  return last;
}

Result<void> ImageStore::AddUntagged(const Descriptor& manifest) const {
  if (!blobs_.Has(manifest.digest)) {
    return Fail(ErrorCode::kNotFound, "manifest " + manifest.digest.str() + " is not in the store");
  }
  return UpdateIndex([&](ImageIndex& index) -> Result<void> {
    for (const Descriptor& e : index.manifests) {
      if (e.digest == manifest.digest) return {};
    }
    index.manifests.push_back(WithoutName(manifest));
    return {};
  });
}

Result<void> ImageStore::RemoveImage(const Digest& manifest_digest) const {
  return UpdateIndex([&](ImageIndex& index) -> Result<void> {
    std::size_t erased = std::erase_if(
        index.manifests, [&](const Descriptor& e) { return e.digest == manifest_digest; });
    if (erased == 0) return NoSuchImage(manifest_digest.str());
    return {};
  });
}

Result<std::size_t> ImageStore::RemoveDangling() const {
  std::size_t removed = 0;
  BUILDER_TRY(UpdateIndex([&](ImageIndex& index) -> Result<void> {
    auto unnamed = [](const Descriptor& e) {
      return !e.annotations.contains(std::string(kAnnotationRefName));
    };
    std::set<std::string> gone;
    for (const Descriptor& e : index.manifests) {
      if (unnamed(e)) gone.insert(e.digest.str());
    }
    std::erase_if(index.manifests, unnamed);
    for (const Descriptor& e : index.manifests) gone.erase(e.digest.str());  // still named
    removed = gone.size();
    return {};
  }));
  return removed;
}

Result<Descriptor> ImageStore::WriteImage(const ImageConfig& config,
                                          const std::vector<Descriptor>& layers,
                                          ImageFormat format) const {
  if (config.rootfs.diff_ids.size() != layers.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                "write image: config has " + std::to_string(config.rootfs.diff_ids.size()) +
                    " diff_ids for " + std::to_string(layers.size()) + " layers");
  }
  for (const Descriptor& layer : layers) {
    if (!blobs_.Has(layer.digest)) {
      return Fail(ErrorCode::kNotFound, "write image: layer " + layer.digest.str() +
                                            " is not in the store");
    }
  }
  Manifest manifest;
  manifest.media_type = std::string(ManifestMediaType(format));
  manifest.config = BUILDER_TRY(blobs_.Put(ConfigMediaType(format), config.Serialize()));
  manifest.layers = layers;
  std::string bytes = BUILDER_TRY(manifest.Serialize(format));
  return blobs_.Put(ManifestMediaType(format), bytes);
}

}  // namespace builder::oci
