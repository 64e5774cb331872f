// Per-layer diff dirs: adopted from a build's upper dirs by rename, found by diffID.
#include "oci/diff_store.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>

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
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(Dir().c_str()), &::closedir);
  if (!d) {
    if (errno == ENOENT) return std::vector<std::string>{};
    return FailErrno("open directory " + Dir(), errno);
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d.get())) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::uint64_t> DiffStore::Remove(const std::string& name) const {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return Fail(ErrorCode::kInvalidArgument, "bad diff dir name " + name);
  }
  return RemoveTree(Dir() + "/" + name);
}

}  // namespace builder::oci
