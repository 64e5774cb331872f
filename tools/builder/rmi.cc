// `builder rmi [-f] IMAGE...`: untags images and drops untagged ones from index.json, as
// `docker rmi`; the blobs are freed later by `builder prune`.
#include <iostream>
#include <set>

#include "commands.h"

namespace builder::cli {

namespace {

/// Removes one image given by name or id; prints what docker prints.
Result<void> RemoveOne(const oci::ImageStore& store, const std::string& name, bool force) {
  auto resolved = store.Resolve(name);
  // By tag: untag; the image goes when that was its last tag. This works for damaged images
  // too, so a broken image can always be removed.
  auto ref = oci::Reference::ParseDockerRef(name);
  if (ref && !ref->digest()) {
    auto last = store.Untag(*ref);
    if (last) {
      std::cout << "Untagged: " << ref->FamiliarString() << '\n';
      if (*last && resolved) std::cout << "Deleted: " << resolved->id().str() << '\n';
      return {};
    }
    if (last.error().code() != ErrorCode::kNotFound) return Fail(std::move(last.error()));
  }
  const oci::StoredImage image = BUILDER_TRY(std::move(resolved));
  // By id (or digest): every manifest with this config, with all its tags.
  std::vector<oci::StoredImage> all = BUILDER_TRY(store.List());
  std::set<oci::Digest> manifests;
  std::vector<oci::Reference> tags;
  std::set<std::string> repos;
  for (const oci::StoredImage& other : all) {
    if (other.id() != image.id()) continue;
    manifests.insert(other.digest());
    for (const oci::Reference& tag : other.tags) {
      tags.push_back(tag);
      repos.insert(tag.Name());
    }
  }
  if (repos.size() > 1 && !force) {
    return Fail(ErrorCode::kInvalidArgument,
                "conflict: unable to delete " + image.id().ShortId() +
                    " (must be forced) - image is referenced in multiple repositories");
  }
  BUILDER_TRY(store.UpdateIndex([&](oci::ImageIndex& index) -> Result<void> {
    std::erase_if(index.manifests,
                  [&](const oci::Descriptor& e) { return manifests.contains(e.digest); });
    return {};
  }));
  for (const oci::Reference& tag : tags) std::cout << "Untagged: " << tag.FamiliarString() << '\n';
  std::cout << "Deleted: " << image.id().str() << '\n';
  return {};
}

}  // namespace

void RegisterRmi(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("rmi", "Remove one or more images");
  static std::vector<std::string> names;
  static bool force = false;
  cmd->add_option("IMAGE", names, "Image names, IDs or ID prefixes")->required();
  cmd->add_flag("-f,--force", force, "Remove an image ID referenced by several repositories");
  cmd->callback([status] {
    auto store = OpenStore();
    if (!store) {
      *status = ReportError(store.error());
      return;
    }
    for (const std::string& name : names) {
      if (auto r = RemoveOne(*store, name, force); !r) *status = ReportError(r.error());
    }
  });
}

}  // namespace builder::cli
