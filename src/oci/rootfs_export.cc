// Flattens an image through the snapshot store's unpacker: one code path with `debug unpack`.
#include "oci/rootfs_export.h"

#include <cerrno>
#include <cstdlib>

#include "base/path.h"
#include "oci/layer_writer.h"
#include "oci/remove_tree.h"
#include "oci/snapshot_store.h"

namespace builder::oci {

Result<void> ExportRootfsDir(const ImageStore& store, const StoredImage& image, const std::string& dir) {
  BUILDER_TRY(MakeDirs(dir));
  return SnapshotStore(store).UnpackInto(image, dir);
}

Result<void> ExportRootfsTar(const ImageStore& store, const StoredImage& image, ByteSink& out) {
  std::string templ = store.blobs().TmpDir() + "/rootfs-XXXXXX";
  if (!::mkdtemp(templ.data())) return FailErrno("mkdtemp " + templ, errno);
  // Removed on every path: an unpacked image can be large.
  struct Cleanup {
    std::string dir;
    ~Cleanup() { (void)RemoveTree(dir); }
  } cleanup{templ};
  std::string root = templ + "/rootfs";
  BUILDER_TRY(MakeDirs(root));
  BUILDER_TRY(SnapshotStore(store).UnpackInto(image, root));
  BUILDER_TRY(WriteLayer(root, LayerWriteOptions{}, out));
  return {};
}

}  // namespace builder::oci
