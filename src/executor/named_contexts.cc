// --build-context NAME=DIR|docker-image://REF|oci-layout://PATH[:TAG|@DIGEST] made ready for the
// planner.
#include "executor/named_contexts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/path.h"
#include "base/unique_fd.h"
#include "cache/file_hash_cache.h"
#include "oci/annotations.h"
#include "oci/archive_loader.h"
#include "oci/image_index.h"
#include "oci/merged_view.h"
#include "oci/reference.h"
#include "oci/remove_tree.h"
#include "filespec/ignore_file.h"

namespace builder::executor {
namespace {

constexpr std::string_view kDockerImage = "docker-image://";
constexpr std::string_view kOciLayout = "oci-layout://";

// A temporary layout that shows only the chosen manifest, without its name: loading it adds
// the image untagged, whatever tags the layout gives its images.
class LayoutView {
 public:
  ~LayoutView() {
    if (!dir_.empty()) (void)oci::RemoveTree(dir_);
  }
  Result<std::string> Create(const std::string& tmp, const std::string& layout, const oci::Descriptor& entry) {
    std::string templ = tmp + "/context-layout-XXXXXX";
    if (!mkdtemp(templ.data())) return FailErrno("mkdtemp " + templ, errno);
    dir_ = templ;
    if (symlink((layout + "/blobs").c_str(), (dir_ + "/blobs").c_str()) != 0)
      return FailErrno("symlink " + dir_ + "/blobs", errno);
    BUILDER_TRY(WriteFileAtomic(dir_ + "/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"));
    oci::ImageIndex index;
    oci::Descriptor bare = entry;
    bare.annotations.clear();
    index.manifests.push_back(bare);
    BUILDER_TRY(WriteFileAtomic(dir_ + "/index.json", index.Serialize()));
    return dir_;
  }

 private:
  std::string dir_;
};

Result<std::string> LoadLayoutImage(const oci::ImageStore& store, const std::string& name, std::string spec) {
  std::string digest, tag;
  if (auto at = spec.rfind('@'); at != std::string::npos) {
    digest = spec.substr(at + 1);
    spec.resize(at);
  }
  auto slash = spec.rfind('/');
  if (auto colon = spec.rfind(':'); colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    tag = spec.substr(colon + 1);
    spec.resize(colon);
  }
  std::string where = "--build-context " + name + ": oci-layout " + spec;
  auto text = ReadFile(JoinPath(spec, "index.json"));
  if (!text) return Fail(std::move(text.error()).Context(where));
  auto index = oci::ImageIndex::Parse(*text);
  if (!index) return Fail(std::move(index.error()).Context(where + ": index.json"));
  const oci::Descriptor* chosen = nullptr;
  for (const auto& m : index->manifests) {
    auto ref = m.annotations.find(std::string(oci::kAnnotationRefName));
    bool named = ref != m.annotations.end();
    if (!digest.empty() ? m.digest.str() == digest
                        : (named && ref->second == (tag.empty() ? "latest" : tag)) ||
                              (tag.empty() && index->manifests.size() == 1)) {
      chosen = &m;
      break;
    }
  }
  if (!chosen)
    return Fail(ErrorCode::kNotFound, where + ": no image " +
                                          (!digest.empty() ? digest : "tagged " + (tag.empty() ? "latest" : tag)));
  LayoutView view;
  std::string dir = BUILDER_TRY(view.Create(store.blobs().TmpDir(), spec, *chosen));
  auto loaded = oci::LoadImagesFromLayout(store, dir);
  if (!loaded) return Fail(std::move(loaded.error()).Context(where));
  if (loaded->size() != 1) return Fail(ErrorCode::kCorrupt, where + ": expected one image");
  return loaded->front().id.str();
}

Result<planner::NamedContext> LocalDir(const oci::ImageStore& store, const std::string& name, const std::string& path) {
  std::string where = "--build-context " + name + ": " + path;
  char* real = realpath(path.c_str(), nullptr);
  if (!real) return FailErrno(where, errno);
  std::string abs = real;
  std::free(real);
  struct stat st;
  if (stat(abs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Fail(ErrorCode::kInvalidArgument, where + " is not a directory");
  UniqueFd fd(open(abs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return FailErrno(where, errno);
  // The same persistent file-hash cache a build context of that path uses.
  cache::FileHashCache hashes = BUILDER_TRY(cache::FileHashCache::Open(store, abs));
  cache::HashTreeOptions options;
  options.need_entries = false;
  BuildContext source = BUILDER_TRY(NamedDirSource(abs));
  if (source.ignore) {
    const filespec::PatternMatcher& ignore = *source.ignore;
    options.ignore = [&ignore](std::string_view p, bool) { return ignore.MatchesOrParentMatches(p); };
    options.descend_ignored_dirs = ignore.exclusions();
  }
  auto tree = hashes.HashTree(fd.get(), ".", options);
  if (!tree) return Fail(std::move(tree.error()).Context("hash " + where));
  (void)hashes.Save();  // a cache not saved only costs the next build a re-read
  planner::NamedContext out;
  out.dir = abs;
  out.dir_digest = tree->digest;
  return out;
}

}  // namespace

Result<BuildContext> NamedDirSource(const std::string& dir) {
  BuildContext source{dir, std::nullopt};
  auto ignore_path = BUILDER_TRY(filespec::LocateIgnoreFile(dir, ""));
  if (ignore_path) {
    auto patterns = BUILDER_TRY(filespec::ReadIgnoreFile(*ignore_path));
    source.ignore = BUILDER_TRY(filespec::PatternMatcher::Create(patterns));
  }
  return source;
}

Result<std::string> FilteredNamedDir(const std::string& dir, const std::string& scratch) {
  BuildContext source = BUILDER_TRY(NamedDirSource(dir));
  if (!source.ignore) return dir;
  std::string empty = scratch + "-lower", copy = scratch;
  BUILDER_TRY(MakeDirs(empty));
  BUILDER_TRY(MakeDirs(copy));
  planner::CopyStep all;
  all.sources = {"/"};
  all.dest = "/";
  BUILDER_TRY(CopyIntoUpper(source, all, oci::MergedView({empty}), copy));
  return copy;
}

Result<planner::NamedContexts> ResolveNamedContexts(const oci::ImageStore& store,
                                                    const std::vector<std::string>& values) {
  planner::NamedContexts out;
  for (const std::string& value : values) {
    auto eq = value.find('=');
    if (eq == std::string::npos || eq == 0)
      return Fail(ErrorCode::kInvalidArgument, "invalid --build-context " + value + ": expected NAME=VALUE");
    std::string name = value.substr(0, eq), source = value.substr(eq + 1);
    if (out.count(name)) return Fail(ErrorCode::kInvalidArgument, "--build-context " + name + " given twice");
    planner::NamedContext context;
    if (source.starts_with(kDockerImage)) {
      context.image = source.substr(kDockerImage.size());
      if (!oci::Reference::ParseDockerRef(context.image))
        return Fail(ErrorCode::kInvalidArgument, "--build-context " + name + ": invalid image reference " + context.image);
    } else if (source.starts_with(kOciLayout)) {
      context.image = BUILDER_TRY(LoadLayoutImage(store, name, source.substr(kOciLayout.size())));
    } else if (source.find("://") != std::string::npos) {
      return Fail(ErrorCode::kUnsupported, "--build-context " + name + ": unsupported source " + source +
                                               " (use a directory, docker-image:// or oci-layout://)");
    } else {
      context = BUILDER_TRY(LocalDir(store, name, source));
    }
    out[name] = std::move(context);
  }
  return out;
}

}  // namespace builder::executor
