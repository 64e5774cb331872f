// libFuzzer target: a layer blob (plain, gzip or zstd, detected as the store does) unpacked into a
// fresh root; aborts if anything appears outside that root or links to a host inode outside it.
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <span>
#include <string>
#include <utility>

#include "oci/compression.h"
#include "oci/layer_unpacker.h"
#include "oci/remove_tree.h"
#include "private_tmp.h"

namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "layer_fuzz: %s\n", why.c_str());
  std::abort();
}

// Inodes (dev, ino) that existed outside the root before the unpack: a hard link made by the
// unpacker to any of them would let a layer reach a host file.
std::set<std::pair<dev_t, ino_t>>* g_outside = nullptr;

int Check(const char* path, const struct stat* st, int type, struct FTW*) {
  if (type == FTW_SL) {
    // A symlink's target text is the image's business (it is resolved inside the root by the
    // runtime); only its existence here matters, checked by the walk staying under the root.
    return 0;
  }
  // Hard links among the layer's own files are fine; one to an inode outside is not.
  if (g_outside->count({st->st_dev, st->st_ino})) Die(std::string("links to a host inode: ") + path);
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // With a private /tmp, escapes further up ("../../x", absolute links) show there or in /.
  const bool private_tmp = fuzz::PrivateTmp();
  static const std::set<std::string> slash = fuzz::ListDir("/");
  char parent_template[] = "/tmp/layer_fuzz.XXXXXX";
  if (!mkdtemp(parent_template)) Die("mkdtemp failed");
  const std::string parent = parent_template;
  const std::string root = parent + "/root";
  const std::string sentinel = parent + "/sentinel";
  if (mkdir(root.c_str(), 0755) != 0) Die("mkdir root failed");
  // A file next to the root: the target of `../sentinel` escapes and of hard links outside.
  int sfd = open(sentinel.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (sfd < 0 || write(sfd, "host", 4) != 4) Die("sentinel failed");
  close(sfd);
  struct stat pst, sst;
  if (stat(parent.c_str(), &pst) != 0 || stat(sentinel.c_str(), &sst) != 0) Die("stat failed");
  std::set<std::pair<dev_t, ino_t>> outside = {{pst.st_dev, pst.st_ino}, {sst.st_dev, sst.st_ino}};
  g_outside = &outside;

  int blob = memfd_create("layer", MFD_CLOEXEC);
  if (blob < 0) Die("memfd_create failed");
  for (std::size_t off = 0; off < size;) {
    ssize_t n = write(blob, data + off, size - off);
    if (n <= 0) Die("memfd write failed");
    off += static_cast<std::size_t>(n);
  }
  lseek(blob, 0, SEEK_SET);
  const auto compression = builder::oci::DetectCompression(std::span(data, size));
  builder::oci::UnpackOptions options;
  options.preserve_ownership = false;
  auto result = builder::oci::UnpackLayer(blob, compression, {}, root, options);
  if (!result) (void)result.error().ToString();
  close(blob);

  // Nothing new beside the root, the sentinel unchanged, no file under the root is a host inode.
  if (fuzz::ListDir(parent) != std::set<std::string>{".", "..", "root", "sentinel"})
    Die("an entry appeared outside the root");
  if (private_tmp && fuzz::ListDir("/tmp").size() != 3) Die("an entry appeared in /tmp");
  if (fuzz::ListDir("/") != slash) Die("an entry appeared in /");
  struct stat now;
  if (lstat(sentinel.c_str(), &now) != 0 || now.st_ino != sst.st_ino || now.st_size != 4 ||
      now.st_nlink != 1)
    Die("the file outside the root was changed or linked");
  if (nftw(root.c_str(), Check, 16, FTW_PHYS) != 0) Die("walk failed");

  g_outside = nullptr;
  (void)builder::oci::RemoveTree(parent);
  return 0;
}
