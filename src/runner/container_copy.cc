// cp: both sides located (the container's through ResolveDirInRoot), then the source streamed
// as a tar through a pipe into UnpackLayer at the destination.
#include "runner/container_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <thread>

#include "base/path.h"
#include "base/unique_fd.h"
#include "oci/byte_stream.h"
#include "oci/layer_unpacker.h"
#include "oci/safe_path.h"
#include "runner/container_rootfs.h"
#include "runner/path_tar.h"

namespace builder::runner {
namespace {

// One side of a copy: a directory fd and an entry in it ("." for the directory itself).
struct Located {
  UniqueFd parent;
  std::string name;
  std::string shown;            // the path as the user knows it
  std::optional<struct stat> st;  // nullopt: does not exist
  bool is_dir() const { return st && S_ISDIR(st->st_mode); }
};

// Whether the relative path `rel` climbs above its start with "..".
bool ClimbsOut(const std::string& rel) {
  int depth = 0;
  std::size_t start = 0;
  while (start <= rel.size()) {
    std::size_t slash = std::min(rel.find('/', start), rel.size());
    std::string_view c(rel.data() + start, slash - start);
    if (c == "..") {
      if (--depth < 0) return true;
    } else if (!c.empty() && c != ".") {
      ++depth;
    }
    start = slash + 1;
  }
  return false;
}

Result<std::optional<struct stat>> StatAt(int dir, const std::string& name, const std::string& shown) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return st;
  if (errno == ENOENT) return std::nullopt;
  return FailErrno("stat " + shown, errno);
}

// `path` (absolute in the container) inside root_fd: its parent through ResolveDirInRoot (which
// refuses a symlink climbing out of the root), its last component not followed unless
// `follow`; a followed link is resolved again the same way, its target checked first.
Result<Located> LocateInRoot(int root_fd, std::string path, bool follow) {
  const std::string shown = path;
  for (int hops = 0;; ++hops) {
    Located at;
    at.shown = shown;
    if (path == "/") {
      oci::ResolvedDir root = BUILDER_TRY(oci::ResolveDirInRoot(root_fd, ".", false));
      at.parent = std::move(root.fd);
      at.name.assign(1, '.');  // (not = "."; g++ 12 warns falsely, -Wrestrict)
    } else {
      auto dir = oci::ResolveDirInRoot(root_fd, DirName(path), false);
      if (!dir) return Fail(std::move(dir).error().Context("resolve " + shown + " in the container"));
      at.name = BaseName(path);
      at.st = BUILDER_TRY(StatAt(dir->fd.get(), at.name, shown));
      if (follow && at.st && S_ISLNK(at.st->st_mode)) {
        if (hops >= oci::kMaxSymlinkFollows) return FailErrno("resolve " + shown, ELOOP);
        char target[4096];
        ssize_t n = ::readlinkat(dir->fd.get(), at.name.c_str(), target, sizeof target - 1);
        if (n < 0) return FailErrno("readlink " + shown, errno);
        std::string t(target, static_cast<std::size_t>(n));
        if (t.front() != '/') {
          std::string rel = dir->path + "/" + t;
          if (ClimbsOut(rel)) {
            return Fail(ErrorCode::kCorrupt, "resolve " + shown + " in the container: symlink \"" + path +
                                                 "\" points outside the container's root");
          }
          t = "/" + rel;
        }
        path = CleanPath(t);
        continue;
      }
      at.parent = std::move(dir->fd);
      return at;
    }
    at.st = BUILDER_TRY(StatAt(at.parent.get(), ".", shown));
    return at;
  }
}

// A host path: the user's own filesystem, followed as the shell would (the last component
// only when `follow`).
Result<Located> LocateOnHost(const std::string& path, bool follow) {
  Located at;
  at.shown = path;
  std::string clean = CleanPath(path);
  at.name = clean == "/" ? "." : BaseName(clean);
  std::string dir = clean == "/" ? "/" : DirName(clean);
  at.parent = UniqueFd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!at.parent) return FailErrno("open " + dir, errno);
  struct stat st {};
  if (::fstatat(at.parent.get(), at.name.c_str(), &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) == 0) {
    at.st = st;
  } else if (errno != ENOENT) {
    return FailErrno("stat " + path, errno);
  }
  return at;
}

// Produces the tar in a thread and unpacks it here: one pipe buffer in flight, nothing held
// in memory however large the tree.
Result<void> Stream(const std::function<Result<void>(oci::ByteSink&)>& produce, int into_fd,
                    bool keep_owners) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return FailErrno("pipe", errno);
  UniqueFd r(p[0]);
  auto w = std::make_unique<UniqueFd>(p[1]);
  Result<void> produced;
  std::thread producer([&] {
    oci::FdSink sink(w->get());
    produced = produce(sink);
    w.reset();  // end of stream
  });
  oci::UnpackOptions options;
  options.preserve_ownership = keep_owners;
  auto unpacked = oci::UnpackLayer(r.get(), oci::Compression::kNone, {}, into_fd, options);
  r = UniqueFd();  // a producer still writing gets EPIPE and stops
  producer.join();
  if (!produced) return Fail(std::move(produced).error());
  if (!unpacked) return Fail(std::move(unpacked).error());
  return {};
}

Result<UniqueFd> OpenDirAt(int parent, const std::string& name, const std::string& shown) {
  UniqueFd fd(::openat(parent, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return FailErrno("open " + shown, errno);
  return fd;
}

// A relative container path is taken from the container's working directory, as docker does;
// the typed trailing "/" or "/." is kept for ParseCopyPath.
Result<std::string> InContainer(const ContainerStore& store, const std::string& id, const std::string& typed) {
  if (!typed.empty() && typed.front() == '/') return typed;
  ContainerSpec spec = BUILDER_TRY(store.LoadSpec(id));
  std::string wd = spec.working_dir.empty() ? "/" : spec.working_dir;
  return wd + (wd.ends_with('/') ? "" : "/") + typed;
}

std::string TypedBase(const CopyPath& p) { return p.path == "/" ? "" : BaseName(p.path); }

}  // namespace

CopyPath ParseCopyPath(std::string_view typed) {
  CopyPath p;
  std::string t(typed);
  p.contents_only = t == "." || t.ends_with("/.");
  p.must_be_dir = t.ends_with('/') || p.contents_only;
  p.path = CleanPath(t.empty() ? "." : t);
  if (p.path == "/") p.contents_only = true;
  return p;
}

Result<CopyTarget> PlanCopyTarget(bool source_is_dir, bool contents_only, const std::string& source_name,
                                  const CopyPath& dest, bool dest_exists, bool dest_is_dir) {
  if (dest_exists && dest_is_dir) {
    return CopyTarget{dest.path, contents_only ? "" : source_name};
  }
  if (dest_exists) {
    if (source_is_dir) return Fail(ErrorCode::kInvalidArgument, "cannot copy a directory to a file: " + dest.path);
    if (dest.must_be_dir) return Fail(ErrorCode::kInvalidArgument, "destination " + dest.path + " is not a directory");
    return CopyTarget{DirName(dest.path), BaseName(dest.path)};
  }
  if (dest.must_be_dir && !source_is_dir) {
    return Fail(ErrorCode::kNotFound, "destination directory " + dest.path + " does not exist");
  }
  return CopyTarget{DirName(dest.path), BaseName(dest.path)};
}

Result<void> CopyFromContainer(const ContainerStore& store, const std::string& id,
                               const std::string& src, const std::string& dest,
                               const CopyOptions& options) {
  CopyPath from = ParseCopyPath(BUILDER_TRY(InContainer(store, id, src)));
  UniqueFd root = BUILDER_TRY(OpenContainerRootfs(store, id, RootfsUse::kRead));
  Located source = BUILDER_TRY(LocateInRoot(root.get(), from.path, options.follow_link || from.must_be_dir));
  if (!source.st) return Fail(ErrorCode::kNotFound, "Could not find the file " + src + " in container");
  if (from.must_be_dir && !source.is_dir()) return Fail(ErrorCode::kInvalidArgument, src + " is not a directory");
  const bool contents = from.contents_only && source.is_dir();
  auto produce = [&](const std::string& top) {
    return [&, top](oci::ByteSink& sink) { return WritePathTar(source.parent.get(), source.name, false, top, sink); };
  };
  if (dest == "-") {
    oci::FdSink out(STDOUT_FILENO);
    return produce(contents ? "" : TypedBase(from).empty() ? "." : TypedBase(from))(out);
  }
  CopyPath to = ParseCopyPath(dest);
  Located target = BUILDER_TRY(LocateOnHost(to.path, true));
  CopyTarget plan = BUILDER_TRY(PlanCopyTarget(source.is_dir(), contents, TypedBase(from), to,
                                               target.st.has_value(), target.is_dir()));
  UniqueFd into(::open(plan.into_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!into) return FailErrno("open " + plan.into_dir, errno);
  return Stream(produce(plan.top), into.get(), options.archive);
}

Result<void> CopyToContainer(const ContainerStore& store, const std::string& id, const std::string& src,
                             const std::string& dest, const CopyOptions& options) {
  CopyPath to = ParseCopyPath(BUILDER_TRY(InContainer(store, id, dest)));
  UniqueFd root = BUILDER_TRY(OpenContainerRootfs(store, id, RootfsUse::kWrite));
  // A destination that is a symlink to a directory receives into that directory, as docker.
  Located target = BUILDER_TRY(LocateInRoot(root.get(), to.path, true));
  if (src == "-") {
    if (!target.is_dir()) return Fail(ErrorCode::kInvalidArgument, "destination \"" + dest + "\" must be a directory");
    UniqueFd into = BUILDER_TRY(OpenDirAt(target.parent.get(), target.name, dest));
    oci::UnpackOptions o;
    o.preserve_ownership = options.archive;
    BUILDER_TRY(oci::UnpackLayer(STDIN_FILENO, oci::Compression::kNone, {}, into.get(), o));
    return {};
  }
  CopyPath from = ParseCopyPath(src);
  Located source = BUILDER_TRY(LocateOnHost(from.path, options.follow_link || from.must_be_dir));
  if (!source.st) return FailErrno("stat " + src, ENOENT);
  if (from.must_be_dir && !source.is_dir()) return Fail(ErrorCode::kInvalidArgument, src + " is not a directory");
  const bool contents = from.contents_only && source.is_dir();
  CopyTarget plan = BUILDER_TRY(PlanCopyTarget(source.is_dir(), contents, TypedBase(from), to,
                                               target.st.has_value(), target.is_dir()));
  // The directory receiving the copy: the located target itself, or its parent.
  UniqueFd into = plan.into_dir == to.path ? BUILDER_TRY(OpenDirAt(target.parent.get(), target.name, dest))
                                           : UniqueFd(::fcntl(target.parent.get(), F_DUPFD_CLOEXEC, 0));
  if (!into) return FailErrno("open the destination of " + dest, errno);
  if (plan.into_dir != to.path) plan.top = target.name;  // where a followed link really points
  const bool follow = options.follow_link || from.must_be_dir;
  return Stream([&](oci::ByteSink& sink) {
                  return WritePathTar(source.parent.get(), source.name, follow, plan.top, sink);
                },
                into.get(), options.archive);
}

}  // namespace builder::runner
