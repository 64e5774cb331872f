// LayerEntryCheck: a tree of names walked with ResolveDirInRoot's rules (see layer_unpacker.h),
// so a layer is refused where its unpack would be, before anything is stored.
#include "oci/layer_entry_check.h"

#include <cerrno>
#include <map>
#include <vector>

#include "base/path.h"
#include "oci/path_components.h"
#include "oci/safe_path.h"
#include "oci/tar_reader.h"

namespace builder::oci {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kWhiteoutMetaPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// The unpacker's reading of a failed lookup: a missing or non-directory parent hides nothing.
bool Absent(const Error& e) {
  return e.code() != ErrorCode::kCorrupt && (e.sys_errno() == ENOENT || e.sys_errno() == ENOTDIR);
}

Error ParentError(Error e, const std::string& parent) {
  if (e.code() == ErrorCode::kCorrupt) return std::move(e).Context("parent " + QuoteForMessage(parent));
  if (e.sys_errno() == ENOTDIR)
    return Error(ErrorCode::kCorrupt, "parent " + QuoteForMessage(parent) + " is not a directory");
  return e;
}

}  // namespace

struct LayerEntryCheck::Node {
  Kind kind = Kind::kDir;
  std::string target;      // symlinks
  std::uint32_t layer = 0;  // the layer that last made this path
  std::map<std::string, std::unique_ptr<Node>> children;
};

LayerEntryCheck::LayerEntryCheck() : root_(std::make_unique<Node>()) {}
LayerEntryCheck::~LayerEntryCheck() = default;

void LayerEntryCheck::NextLayer() {
  ++layer_;
  last_name_.clear();
}

LayerEntryCheck::Node* LayerEntryCheck::NewNode(Node* parent, const std::string& name, Kind kind) {
  auto node = std::make_unique<Node>();
  node->kind = kind == Kind::kHardlink ? Kind::kFile : kind;
  node->layer = layer_;
  Node* raw = node.get();
  parent->children[name] = std::move(node);
  return raw;
}

// ResolveDirInRoot's walk, over the tree: the same refusals, the same messages.
Result<LayerEntryCheck::Node*> LayerEntryCheck::Resolve(std::string_view path, bool create) {
  if (ClimbsAbove(path, 0))
    return Fail(ErrorCode::kCorrupt, "path " + QuoteForMessage(path) + " escapes the root (..)");
  std::vector<PathComponent> todo;
  PushComponents(path, -1, todo);
  std::vector<std::string> links, targets;
  std::vector<Node*> at;          // the directories walked into, below the root
  std::vector<std::string> names;  // their names, for messages
  int follows = 0;
  while (!todo.empty()) {
    PathComponent next = std::move(todo.back());
    todo.pop_back();
    if (next.name == "..") {
      if (at.empty()) {
        if (next.origin < 0)
          return Fail(ErrorCode::kCorrupt, "path " + QuoteForMessage(path) + " escapes the root (..)");
        return PointsOutside(links[static_cast<std::size_t>(next.origin)],
                             targets[static_cast<std::size_t>(next.origin)]);
      }
      at.pop_back();
      names.pop_back();
      continue;
    }
    Node* cur = at.empty() ? root_.get() : at.back();
    std::string where;
    for (const auto& n : names) where += n + "/";
    where += next.name;
    auto it = cur->children.find(next.name);
    Node* child = it == cur->children.end() ? nullptr : it->second.get();
    if (!child) {
      if (!create) return FailErrno("open " + where, ENOENT);
      child = NewNode(cur, next.name, Kind::kDir);
    }
    if (child->kind == Kind::kDir) {
      at.push_back(child);
      names.push_back(std::move(next.name));
      continue;
    }
    if (child->kind != Kind::kSymlink) return FailErrno("open " + where, ENOTDIR);
    if (++follows > kMaxSymlinkFollows)
      return std::unexpected(Error(ErrorCode::kCorrupt,
                                   "more than " + std::to_string(kMaxSymlinkFollows) +
                                       " symlinks to follow at " + QuoteForMessage(where) + " (a loop?)",
                                   ELOOP));
    const std::string& target = child->target;
    if (target.empty()) return FailErrno("resolve " + where, ENOENT);
    if (ClimbsAbove(target, at.size())) return PointsOutside(where, target);
    if (target.starts_with('/')) {
      at.clear();
      names.clear();
    }
    links.push_back(where);
    PushComponents(target, static_cast<int>(links.size() - 1), todo);
    targets.push_back(target);
  }
  return at.empty() ? root_.get() : at.back();
}

namespace {

// Removes what earlier layers made below (and at) `name`; this layer's paths stay, as the
// unpacker's RemoveTree with keep_created does. True when `name` itself went.
bool RemoveLower(std::map<std::string, std::unique_ptr<LayerEntryCheck::Node>>& children,
                 const std::string& name, std::uint32_t layer) {
  auto it = children.find(name);
  if (it == children.end()) return true;
  auto& node = *it->second;
  bool keep = node.layer == layer;
  std::vector<std::string> names;
  for (const auto& [child, _] : node.children) names.push_back(child);
  for (const auto& child : names)
    if (!RemoveLower(node.children, child, layer)) keep = true;
  if (keep) return false;
  children.erase(it);
  return true;
}

}  // namespace

Result<void> LayerEntryCheck::ApplyWhiteout(const std::string& parent, const std::string& base) {
  if (base == kOpaqueMarker) {
    auto dir = Resolve(parent, /*create=*/false);
    if (!dir) {
      if (Absent(dir.error())) return {};
      return Fail(ParentError(std::move(dir).error(), parent));
    }
    std::vector<std::string> names;
    for (const auto& [child, _] : (*dir)->children) names.push_back(child);
    for (const auto& child : names) RemoveLower((*dir)->children, child, layer_);
    return {};
  }
  if (base.starts_with(kWhiteoutMetaPrefix)) return {};  // aufs metadata: skipped
  std::string victim = base.substr(kWhiteoutPrefix.size());
  if (victim.empty() || victim == "." || victim == "..")
    return Fail(ErrorCode::kCorrupt, "invalid whiteout name " + QuoteForMessage(base) +
                                         " (would remove the directory or its parent)");
  auto dir = Resolve(parent, /*create=*/false);
  if (!dir) {
    if (Absent(dir.error())) return {};
    return Fail(ParentError(std::move(dir).error(), parent));
  }
  RemoveLower((*dir)->children, victim, layer_);
  return {};
}

Result<void> LayerEntryCheck::Apply(const std::string& raw, Kind kind, std::string_view link) {
  std::string path = BUILDER_TRY(CleanEntryName(raw));
  if (path == ".") {
    if (kind == Kind::kDir) return {};
    return Fail(ErrorCode::kCorrupt, "entry would replace the root directory");
  }
  const std::string parent = DirName(path);
  const std::string base = BaseName(path);
  BUILDER_TRY(CheckNotInsideWhiteout(parent));
  if (base.starts_with(kWhiteoutPrefix)) return ApplyWhiteout(parent, base);

  auto resolved = Resolve(parent, /*create=*/true);
  if (!resolved) return Fail(ParentError(std::move(resolved).error(), parent));
  Node* dir = *resolved;

  if (kind == Kind::kHardlink) {
    auto clean = CleanEntryName(link);
    if (!clean) return Fail(std::move(clean).error().Context("hardlink target"));
    auto tdir = Resolve(DirName(*clean), /*create=*/false);
    if (!tdir) {
      if (Absent(tdir.error()))
        return Fail(ErrorCode::kCorrupt, "hardlink target " + QuoteForMessage(*clean) + " does not exist");
      return Fail(ParentError(std::move(tdir).error(), DirName(*clean))
                      .Context("hardlink target " + QuoteForMessage(*clean)));
    }
    const std::string tbase = BaseName(*clean);
    if (*tdir == dir && tbase == base) return Fail(ErrorCode::kCorrupt, "hardlink to itself");
    auto target = (*tdir)->children.find(tbase);
    if (target == (*tdir)->children.end())
      return Fail(ErrorCode::kCorrupt, "hardlink target " + QuoteForMessage(*clean) + " does not exist");
    if (target->second->kind == Kind::kDir)
      return Fail(ErrorCode::kCorrupt, "hardlink target " + QuoteForMessage(*clean) + " is a directory");
  }

  auto existing = dir->children.find(base);
  if (existing != dir->children.end() && existing->second->kind == Kind::kDir && kind == Kind::kDir) {
    existing->second->layer = layer_;  // a directory over a directory: metadata only
    return {};
  }
  Node* node = NewNode(dir, base, kind);  // replaces whatever was there, a whole tree included
  if (kind == Kind::kSymlink) node->target = std::string(link);
  return {};
}

Result<void> LayerEntryCheck::Check(std::string_view name, Kind kind, std::string_view link) {
  if (name.empty()) {
    std::string where = last_name_.empty() ? "first entry" : "entry after " + QuoteForMessage(last_name_);
    return Fail(ErrorCode::kCorrupt, where + ": empty entry name");
  }
  last_name_ = std::string(name);
  auto r = Apply(last_name_, kind, link);
  if (!r) return Fail(std::move(r).error().Context("entry " + QuoteForMessage(name)));
  ++entries_;
  return {};
}

Result<void> LayerEntryCheck::Check(archive_entry* entry) {
  const char* name = archive_entry_pathname(entry);
  if (!name || !*name) return Check("", Kind::kFile);  // refused, whatever its type
  if (const char* hard = archive_entry_hardlink(entry))
    return Check(name ? name : "", Kind::kHardlink, hard);
  switch (archive_entry_filetype(entry)) {
    case AE_IFDIR: return Check(name ? name : "", Kind::kDir);
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(entry);
      return Check(name ? name : "", Kind::kSymlink, target ? target : "");
    }
    case AE_IFREG:
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: return Check(name ? name : "", Kind::kFile);
    default:
      return Fail(ErrorCode::kCorrupt, "entry " + QuoteForMessage(name ? name : "") +
                                           ": unsupported entry type " +
                                           std::to_string(archive_entry_filetype(entry)));
  }
}

Result<LayerDigests> CheckLayerEntries(LayerBlobReader& reader, LayerEntryCheck& check) {
  auto tar = BUILDER_TRY(TarReader::Open(reader));
  std::string last;
  for (;;) {
    auto entry = tar->Next();
    if (!entry) {
      if (last.empty()) return Fail(std::move(entry).error());
      return Fail(std::move(entry).error().Context("after entry " + QuoteForMessage(last)));
    }
    if (!*entry) break;
    BUILDER_TRY(check.Check(*entry));
    const char* name = archive_entry_pathname(*entry);
    last = name ? name : "";
  }
  return reader.DrainAndVerify();
}

}  // namespace builder::oci
