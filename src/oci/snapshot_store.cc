// Snapshots: chain IDs, and flattened image root filesystems unpacked once and shared.
#include "oci/snapshot_store.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/staging_lease.h"
#include "base/path.h"
#include "base/staged_file.h"
#include "oci/media_types.h"
#include "oci/remove_tree.h"

namespace builder::oci {

std::vector<Digest> ChainIds(const std::vector<Digest>& diff_ids) {
  std::vector<Digest> out;
  out.reserve(diff_ids.size());
  for (const Digest& diff_id : diff_ids) {
    out.push_back(out.empty() ? diff_id : Digest::Of(out.back().str() + " " + diff_id.str()));
  }
  return out;
}

std::string SnapshotStore::Dir() const { return JoinPath(images_.root(), "snapshots"); }

std::string SnapshotStore::PathOf(const Digest& chain_id) const {
  return Dir() + "/" + std::string(chain_id.hex());
}

std::string SnapshotStore::PathFor(const StoredImage& image) const {
  std::vector<Digest> chain = ChainIds(image.config.rootfs.diff_ids);
  return chain.empty() ? Dir() + "/" + std::string(kEmptySnapshot) : PathOf(chain.back());
}

Result<void> SnapshotStore::UnpackInto(const StoredImage& image, const std::string& dir,
                                       const UnpackOptions& options) const {
  const auto& layers = image.manifest.layers;
  const auto& diff_ids = image.config.rootfs.diff_ids;
  if (layers.size() != diff_ids.size()) {
    return Fail(ErrorCode::kUnsupported,
                "image " + image.id().ShortId() + " has " + std::to_string(layers.size()) +
                    " layers but " + std::to_string(diff_ids.size()) + " diff_ids");
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Descriptor& layer = layers[i];
    if (!IsLayer(layer.media_type)) {
      return Fail(ErrorCode::kUnsupported, "layer " + layer.digest.str() + " has media type " +
                                               layer.media_type + ", not a layer tar");
    }
    UniqueFd fd = BUILDER_TRY(images_.blobs().OpenFd(layer.digest));
    BUILDER_TRY(UnpackLayer(fd.get(), LayerCompressionOf(layer.media_type),
                            {layer.digest, diff_ids[i]}, dir, options));
  }
  return {};
}

Result<std::string> SnapshotStore::Prepare(const StoredImage& image,
                                           const UnpackOptions& options) const {
  const std::string dest = PathFor(image);
  FileLock gc = BUILDER_TRY(images_.LockBlobsShared());
  struct stat st;
  if (::lstat(dest.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return dest;

  std::string staging = BUILDER_TRY(StagingTemplate(images_.blobs().TmpDir(), "snapshot"));
  if (::mkdtemp(staging.data()) == nullptr) return FailErrno("create " + staging, errno);
  auto unpacked = UnpackInto(image, staging, options);
  if (!unpacked) {
    (void)RemoveTree(staging);
    return Fail(std::move(unpacked.error()).Context("prepare snapshot of " + image.id().ShortId()));
  }
  // The root of the image is the staging dir itself: mkdtemp made it 0700.
  if (::chmod(staging.c_str(), 0755) != 0) return FailErrno("chmod " + staging, errno);
  if (::rename(staging.c_str(), dest.c_str()) != 0) {
    int err = errno;
    (void)RemoveTree(staging);
    // Another process published the same snapshot first: use theirs.
    if ((err == EEXIST || err == ENOTEMPTY) && ::lstat(dest.c_str(), &st) == 0) return dest;
    return FailErrno("publish snapshot " + dest, err);
  }
  BUILDER_TRY(SyncDirectory(Dir()));
  return dest;
}

Result<std::vector<std::string>> SnapshotStore::List() const { return ListDirectory(Dir()); }

Result<std::uint64_t> SnapshotStore::Remove(const std::string& name) const {
  return RemoveEntry(Dir(), name, "snapshot");
}

}  // namespace builder::oci
