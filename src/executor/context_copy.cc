// COPY/ADD from the build context into a fresh upper dir, with Docker's semantics.
#include "executor/context_copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "base/path.h"
#include "base/sha256.h"
#include "base/unique_fd.h"
#include "executor/archive_extract.h"
#include "executor/container_owner.h"
#include "executor/file_mode_apply.h"
#include "executor/url_fetch.h"
#include "oci/user_db.h"
#include "oci/safe_path.h"
#include "filespec/file_mode.h"
#include "planner/context_sources.h"

namespace builder::executor {
namespace {

struct Owner {
  bool set = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

struct CopyJob {
  const BuildContext* context;
  const planner::CopyStep* step;
  std::string upper;
  oci::MergedView view;  // upper first, then the layers below
  int ctx_fd = -1;
  Owner owner;
  std::optional<filespec::ChmodSpec> chmod;
  std::optional<filespec::PatternMatcher> excludes;
};

Result<bool> Ignored(const CopyJob& job, const std::string& rel) {
  if (!job.context->ignore || rel.empty() || rel == ".") return false;
  return job.context->ignore->MatchesOrParentMatches(rel);
}

Result<std::vector<std::string>> ListDir(int ctx_fd, const std::string& rel) {
  auto fd = oci::OpenInRoot(ctx_fd, rel.empty() ? "." : rel, O_RDONLY | O_DIRECTORY);
  if (!fd) return Fail(fd.error());
  DIR* d = fdopendir(fd->Release());
  if (!d) return FailErrno("opendir " + rel, errno);
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// Whether anything below the ignored directory rel is re-included by a '!' pattern.
Result<bool> HasIncluded(const CopyJob& job, const std::string& rel) {
  std::vector<std::string> todo = {rel};
  while (!todo.empty()) {
    std::string dir = std::move(todo.back());
    todo.pop_back();
    struct stat st;
    if (fstatat(job.ctx_fd, dir.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) continue;
    for (const auto& name : BUILDER_TRY(ListDir(job.ctx_fd, dir))) {
      std::string child = dir + "/" + name;
      if (!BUILDER_TRY(Ignored(job, child))) return true;
      todo.push_back(child);
    }
  }
  return false;
}

mode_t TargetMode(const CopyJob& job, mode_t src_mode) {
  mode_t mode = src_mode & 07777;
  if (job.chmod) mode = ApplyChmod(*job.chmod, mode, S_ISDIR(src_mode));
  return mode;
}

Result<void> SetOwner(const CopyJob& job, const std::string& host, bool symlink) {
  uid_t uid = job.owner.set ? job.owner.uid : 0;
  gid_t gid = job.owner.set ? job.owner.gid : 0;
  auto owned = ChownToContainer(host, uid, gid);
  if (!owned && !symlink) return Fail(std::move(owned.error()));
  return {};
}

Result<void> SetTimes(const std::string& host, const struct stat& st) {
  struct timespec ts[2] = {st.st_mtim, st.st_mtim};
  if (utimensat(AT_FDCWD, host.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0)
    return FailErrno("set times of " + host, errno);
  return {};
}

// Removes what an earlier source of the same step put at host (a later source wins).
void ClearUpper(const std::string& host) {
  struct stat st;
  if (lstat(host.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) unlink(host.c_str());
}

Result<void> CopyFile(const CopyJob& job, const std::string& src_rel, const struct stat& st,
                      const std::string& host) {
  ClearUpper(host);
  auto in = oci::OpenInRoot(job.ctx_fd, src_rel, O_RDONLY | O_NOFOLLOW);
  if (!in) return Fail(std::move(in.error()).Context("open " + src_rel));
  UniqueFd out(open(host.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!out) return FailErrno("create " + host, errno);
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = sendfile(out.get(), in->get(), nullptr, static_cast<std::size_t>(std::min<off_t>(left, 1 << 30)));
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno("copy " + src_rel, errno);
    }
    if (n == 0) break;
    left -= n;
  }
  BUILDER_TRY(SetOwner(job, host, false));
  if (chmod(host.c_str(), TargetMode(job, st.st_mode)) != 0) return FailErrno("chmod " + host, errno);
  return SetTimes(host, st);
}

Result<void> CopySymlink(const CopyJob& job, const std::string& src_rel, const struct stat& st,
                         const std::string& host) {
  ClearUpper(host);
  char buf[4096];
  ssize_t n = readlinkat(job.ctx_fd, src_rel.c_str(), buf, sizeof buf);
  if (n < 0) return FailErrno("readlink " + src_rel, errno);
  if (symlink(std::string(buf, static_cast<std::size_t>(n)).c_str(), host.c_str()) != 0)
    return FailErrno("symlink " + host, errno);
  BUILDER_TRY(SetOwner(job, host, true));
  return SetTimes(host, st);
}

Result<void> MakeDir(const CopyJob& job, const struct stat& st, const std::string& host) {
  struct stat have;
  if (lstat(host.c_str(), &have) != 0) {
    if (mkdir(host.c_str(), 0755) != 0) return FailErrno("mkdir " + host, errno);
  } else if (!S_ISDIR(have.st_mode)) {
    unlink(host.c_str());
    if (mkdir(host.c_str(), 0755) != 0) return FailErrno("mkdir " + host, errno);
  }
  BUILDER_TRY(SetOwner(job, host, false));
  if (chmod(host.c_str(), TargetMode(job, st.st_mode)) != 0) return FailErrno("chmod " + host, errno);
  return {};
}

// Copies the context entry src_rel to the image path dest (parent already resolved and
// created); directories recursively, iteratively.
Result<void> CopyTree(const CopyJob& job, const std::string& src_rel, const std::string& dest,
                      bool contents_only) {
  struct Item {
    std::string src;
    std::string dest;  // image path, parent exists in upper
    std::string rel_to_root;  // for --exclude
  };
  std::vector<Item> stack;
  std::vector<std::pair<std::string, struct stat>> dir_times;
  struct stat root_st;
  if (fstatat(job.ctx_fd, src_rel.c_str(), &root_st, AT_SYMLINK_NOFOLLOW) != 0)
    return FailErrno("stat " + src_rel, errno);
  if (S_ISDIR(root_st.st_mode) && contents_only) {
    std::string host = BUILDER_TRY(EnsureDirInUpper(job.view, job.upper, dest, job.owner.uid, job.owner.gid));
    for (const auto& name : BUILDER_TRY(ListDir(job.ctx_fd, src_rel == "." ? "" : src_rel)))
      stack.push_back({src_rel == "." ? name : src_rel + "/" + name, host + "/" + name, name});
    // the host path here is relative to the upper dir root: see below
  } else {
    std::string parent = BUILDER_TRY(EnsureDirInUpper(job.view, job.upper, DirName(dest), job.owner.uid, job.owner.gid));
    stack.push_back({src_rel, parent + "/" + BaseName(dest), BaseName(src_rel)});
  }
  while (!stack.empty()) {
    Item item = std::move(stack.back());
    stack.pop_back();
    if (BUILDER_TRY(Ignored(job, item.src))) {
      // An ignored directory is only entered when a '!' pattern re-includes something in it.
      if (!job.context->ignore->exclusions() || !BUILDER_TRY(HasIncluded(job, item.src))) continue;
    }
    if (job.excludes && BUILDER_TRY(job.excludes->MatchesOrParentMatches(item.rel_to_root))) continue;
    std::string host = job.upper + item.dest;
    struct stat st;
    if (fstatat(job.ctx_fd, item.src.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return FailErrno("stat " + item.src, errno);
    if (S_ISDIR(st.st_mode)) {
      BUILDER_TRY(MakeDir(job, st, host));
      dir_times.emplace_back(host, st);
      for (const auto& name : BUILDER_TRY(ListDir(job.ctx_fd, item.src)))
        stack.push_back({item.src + "/" + name, item.dest + "/" + name, item.rel_to_root + "/" + name});
    } else if (BUILDER_TRY(Ignored(job, item.src))) {
      continue;
    } else if (S_ISREG(st.st_mode)) {
      BUILDER_TRY(CopyFile(job, item.src, st, host));
    } else if (S_ISLNK(st.st_mode)) {
      BUILDER_TRY(CopySymlink(job, item.src, st, host));
    }  // sockets, fifos and devices in a context are skipped, as BuildKit's context transfer does
  }
  for (auto it = dir_times.rbegin(); it != dir_times.rend(); ++it) BUILDER_TRY(SetTimes(it->first, it->second));
  return {};
}

Result<void> WriteInline(const CopyJob& job, const planner::InlineFile& file, const std::string& dest) {
  std::string parent = BUILDER_TRY(EnsureDirInUpper(job.view, job.upper, DirName(dest), job.owner.uid, job.owner.gid));
  std::string host = job.upper + parent + "/" + BaseName(dest);
  ClearUpper(host);
  BUILDER_TRY(WriteFileAtomic(host, file.content, 0644));
  BUILDER_TRY(SetOwner(job, host, false));
  if (job.chmod && chmod(host.c_str(), ApplyChmod(*job.chmod, 0644, false)) != 0)
    return FailErrno("chmod " + host, errno);
  return {};
}

// Where one source lands: dest itself, or dest/<name> when dest is (or must be) a directory.
std::string FileDest(const CopyJob& job, const std::string& name, bool many) {
  const std::string& dest = job.step->dest;
  if (dest.ends_with("/") || many) return CleanPath(dest + "/" + name);
  auto resolved = job.view.Resolve(dest, true);
  if (resolved) {
    auto e = job.view.Lookup(*resolved);
    if (e && S_ISDIR(e->st.st_mode)) return CleanPath(dest + "/" + name);
  }
  return CleanPath(dest);
}

}  // namespace

Result<std::string> EnsureDirInUpper(const oci::MergedView& view, const std::string& upper_dir,
                                     const std::string& path, uid_t uid, gid_t gid) {
  auto resolved_or = view.Resolve(CleanPath("/" + path), true);
  if (!resolved_or) return Fail(std::move(resolved_or.error()));
  const std::string resolved = std::move(*resolved_or);
  if (resolved.size() <= 1) return std::string();
  std::string prefix;
  std::size_t i = 1;
  while (i <= resolved.size()) {
    std::size_t j = resolved.find('/', i);
    if (j == std::string::npos) j = resolved.size();
    prefix = resolved.substr(0, j);
    i = j + 1;
    std::string host = upper_dir + prefix;
    struct stat st;
    if (lstat(host.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) continue;
      return Fail(ErrorCode::kInvalidArgument, "cannot create directory " + prefix + ": not a directory");
    }
    auto lower = view.Lookup(prefix);
    if (lower && !S_ISDIR(lower->st.st_mode))
      return Fail(ErrorCode::kInvalidArgument, "cannot create directory " + prefix + ": not a directory");
    if (mkdir(host.c_str(), 0755) != 0) return FailErrno("mkdir " + host, errno);
    if (lower) {
      if (lchown(host.c_str(), lower->st.st_uid, lower->st.st_gid) != 0) return FailErrno("chown " + host, errno);
      if (chmod(host.c_str(), lower->st.st_mode & 07777) != 0) return FailErrno("chmod " + host, errno);
      struct timespec ts[2] = {lower->st.st_mtim, lower->st.st_mtim};
      utimensat(AT_FDCWD, host.c_str(), ts, AT_SYMLINK_NOFOLLOW);
    } else {
      BUILDER_TRY(ChownToContainer(host, uid, gid));
    }
  }
  return resolved;
}

Result<void> CopyIntoUpper(const BuildContext& context, const planner::CopyStep& step,
                           const oci::MergedView& view, const std::string& upper_dir,
                           const FetchedUrls* fetched) {
  std::vector<std::string> layers = {upper_dir};
  layers.insert(layers.end(), view.layers().begin(), view.layers().end());
  CopyJob job{&context, &step, upper_dir, oci::MergedView(layers)};
  UniqueFd ctx(open(context.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!ctx) return FailErrno("open build context " + context.dir, errno);
  job.ctx_fd = ctx.get();
  if (!step.chown.empty()) {
    auto owner = oci::ResolveChown(view, step.chown);
    if (!owner) return Fail(owner.error());
    job.owner = {true, owner->uid, owner->gid};
  }
  if (!step.chmod.empty()) job.chmod = BUILDER_TRY(filespec::ParseChmod(step.chmod));
  if (!step.excludes.empty()) job.excludes = BUILDER_TRY(filespec::PatternMatcher::Create(step.excludes));

  // Expand every source first: the destination rule depends on how many there are.
  struct Source {
    planner::ContextSource entry;  // for a URL, path holds it
    bool url = false;
  };
  std::vector<Source> sources;
  bool wildcard = false;
  const filespec::PatternMatcher* ignore = context.ignore ? &*context.ignore : nullptr;
  for (const auto& raw : step.sources) {
    if (step.add && IsUrl(raw)) {
      sources.push_back({{raw, raw}, true});
      continue;
    }
    wildcard = wildcard || planner::HasWildcard(raw);
    for (auto& m : BUILDER_TRY(planner::ExpandContextSource(job.ctx_fd, raw, ignore)))
      sources.push_back({std::move(m)});
  }
  std::size_t count = sources.size() + step.inline_files.size();
  bool many = count > 1 || (wildcard && count > 1);
  if (count > 1 && !step.dest.ends_with("/"))
    return Fail(ErrorCode::kInvalidArgument,
                "When using COPY with more than one source file, the destination must be a "
                "directory and end with a /");
  for (const auto& src : sources) {
    if (src.url) {
      std::string name = UrlBaseName(src.entry.path);
      std::string dest = FileDest(job, name, many);
      std::string parent = BUILDER_TRY(EnsureDirInUpper(job.view, upper_dir, DirName(dest), job.owner.uid, job.owner.gid));
      std::string host = upper_dir + parent + "/" + BaseName(dest);
      ClearUpper(host);
      const FetchedUrl* prefetched = nullptr;
      if (fetched) {
        if (auto it = fetched->find(src.entry.path); it != fetched->end()) prefetched = &it->second;
      }
      if (prefetched) BUILDER_TRY(PlaceFetchedUrl(*prefetched, host));
      else BUILDER_TRY(FetchUrlToFile(src.entry.path, host, step.checksum));
      BUILDER_TRY(SetOwner(job, host, false));
      if (chmod(host.c_str(), job.chmod ? ApplyChmod(*job.chmod, 0600, false) : 0600) != 0)
        return FailErrno("chmod " + host, errno);
      continue;
    }
    const std::string& rel = src.entry.resolved;
    const std::string& named = src.entry.path;
    struct stat st;
    if (fstatat(job.ctx_fd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return Fail(ErrorCode::kNotFound, "\"/" + named + "\": not found");
    std::string dest = step.dest;
    if (step.parents) dest = CleanPath(step.dest + "/" + (named == "." ? "" : named));
    if (S_ISDIR(st.st_mode)) {
      BUILDER_TRY(CopyTree(job, rel, step.parents ? dest : CleanPath(dest), true));
      continue;
    }
    if (step.add && step.unpack && S_ISREG(st.st_mode)) {
      std::string host_src = context.dir + "/" + rel;
      if (BUILDER_TRY(IsArchive(host_src))) {
        std::string dir = BUILDER_TRY(EnsureDirInUpper(job.view, upper_dir, dest, job.owner.uid, job.owner.gid));
        BUILDER_TRY(ExtractArchive(host_src, upper_dir + dir, job.owner.set, job.owner.uid, job.owner.gid));
        continue;
      }
    }
    std::string target = step.parents ? dest : FileDest(job, BaseName(named), many);
    BUILDER_TRY(CopyTree(job, rel, target, false));
  }
  for (const auto& file : step.inline_files) BUILDER_TRY(WriteInline(job, file, FileDest(job, file.name, many)));
  return {};
}

}  // namespace builder::executor
