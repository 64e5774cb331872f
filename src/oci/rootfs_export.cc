// Flattens an image through the snapshot store's unpacker: one code path with `debug unpack`.
#include "oci/rootfs_export.h"

#include <unistd.h>

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
  LayerWriteOptions options;
  if (::geteuid() != 0) {
    // Unprivileged, the unpack could not give files their owners: what it made is the caller's,
    // which the tar records as root, as the image's files mostly are.
    options.uid_map = {{0, static_cast<std::uint32_t>(::geteuid()), 1}};
    options.gid_map = {{0, static_cast<std::uint32_t>(::getegid()), 1}};
  }
  BUILDER_TRY(WriteLayer(root, options, out));
  return {};
}

}  // namespace builder::oci
