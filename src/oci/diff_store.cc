// Per-layer diff dirs: adopted from a build's upper dirs by rename, found by diffID.
#include "oci/diff_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

#include "base/path.h"
#include "base/staged_file.h"
#include "oci/remove_tree.h"

namespace builder::oci {

std::string DiffStore::Dir() const { return JoinPath(images_.root(), "diffs"); }

std::optional<std::string> DiffStore::Find(const Digest& diff_id) const {
  std::string path = Dir() + "/" + std::string(diff_id.hex());
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return path;
  return std::nullopt;
}

Result<std::string> DiffStore::Adopt(const std::string& dir, const Digest& diff_id) const {
  if (auto have = Find(diff_id)) return *have;
  BUILDER_TRY(MakeDirs(Dir()));
  std::string dest = Dir() + "/" + std::string(diff_id.hex());
  if (::rename(dir.c_str(), dest.c_str()) != 0) {
    int err = errno;
    // A concurrent build published the same layer first: theirs is as good as ours.
    if ((err == EEXIST || err == ENOTEMPTY) && Find(diff_id)) return dest;
    return FailErrno("keep layer dir " + dest, err);
  }
  BUILDER_TRY(SyncDirectory(Dir()));
  return dest;
}

Result<std::vector<std::string>> DiffStore::List() const {
  auto names = ListDirectory(Dir());
  if (!names && names.error().sys_errno() == ENOENT) return std::vector<std::string>{};
  return names;
}

Result<std::uint64_t> DiffStore::Remove(const std::string& name) const {
  return RemoveEntry(Dir(), name, "diff dir");
}

}  // namespace builder::oci
