// ExportToLayout: verified blob copies, then one index.json update under the target's lock.
#include "oci/layout_export.h"

#include <string>
#include <vector>

#include "oci/annotations.h"
#include "oci/image_index.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace builder::oci {
namespace {

Result<void> Copy(const ImageStore& from, const ImageStore& to, const Descriptor& blob) {
  if (to.blobs().Has(blob.digest)) return {};
  auto source = BUILDER_TRY(from.blobs().Open(blob.digest, blob.size));
  return to.blobs().Ingest(*source, blob);
}

Result<void> CopyImage(const ImageStore& from, const ImageStore& to, const Descriptor& manifest) {
  if (!from.blobs().Has(manifest.digest))
    return Fail(ErrorCode::kNotFound, "manifest " + manifest.digest.str() + " is not in the store");
  std::string bytes = BUILDER_TRY(from.blobs().Read(manifest));
  Manifest m = BUILDER_TRY(Manifest::Parse(bytes));
  BUILDER_TRY(Copy(from, to, m.config));
  for (const Descriptor& layer : m.layers) BUILDER_TRY(Copy(from, to, layer));
  return Copy(from, to, manifest);
}

}  // namespace

Result<void> ExportToLayout(const ImageStore& store, const Descriptor& entry, const std::string& dir,
                            std::string_view name) {
  ImageStore target = BUILDER_TRY(ImageStore::Open(dir));
  FileLock gc_lock = BUILDER_TRY(target.LockBlobsShared());
  if (IsIndex(entry.media_type)) {
    std::string bytes = BUILDER_TRY(store.blobs().Read(entry));
    ImageIndex index = BUILDER_TRY(ImageIndex::Parse(bytes));
    for (const Descriptor& m : index.manifests) BUILDER_TRY(CopyImage(store, target, m));
    BUILDER_TRY(Copy(store, target, entry));
  } else {
    BUILDER_TRY(CopyImage(store, target, entry));
  }
  Descriptor listed = entry;
  listed.annotations.clear();
  listed.platform.reset();
  if (!name.empty()) listed.annotations[std::string(kAnnotationRefName)] = std::string(name);
  return target.UpdateIndex([&](ImageIndex& index) -> Result<void> {
    std::erase_if(index.manifests, [&](const Descriptor& d) {
      auto n = d.annotations.find(std::string(kAnnotationRefName));
      return name.empty() ? (n == d.annotations.end() && d.digest == entry.digest)
                          : (n != d.annotations.end() && n->second == name);
    });
    index.manifests.push_back(listed);
    return {};
  });
}

}  // namespace builder::oci
