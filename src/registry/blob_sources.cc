// BlobSources: a small JSON map per registry host under the store, read leniently.
#include "registry/blob_sources.h"

#include <sys/stat.h>

#include <cerrno>

#include <nlohmann/json.hpp>

#include "base/path.h"

namespace builder::registry {

BlobSources BlobSources::Load(std::string_view store_root, std::string_view host) {
  BlobSources out;
  std::string name(host);
  for (char& c : name)
    if (c == '/') c = '_';
  out.path_ = JoinPath(std::string(store_root), "registry/" + name + ".json");
  auto text = ReadFile(out.path_);
  if (!text) return out;
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return out;
  for (const auto& [digest, repo] : doc.items())
    if (repo.is_string()) out.entries_[digest] = repo.get<std::string>();
  return out;
}

std::optional<std::string> BlobSources::Find(const oci::Digest& digest) const {
  auto it = entries_.find(digest.str());
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void BlobSources::Record(const oci::Digest& digest, std::string_view repository) {
  std::string& slot = entries_[digest.str()];
  if (slot == repository) return;
  slot = std::string(repository);
  dirty_ = true;
}

Result<void> BlobSources::Save() {
  if (!dirty_) return {};
  std::string dir = path_.substr(0, path_.rfind('/'));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Fail(Error(ErrorCode::kIo, "create " + dir + ": " + ErrnoText(errno), errno));
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [digest, repo] : entries_) doc[digest] = repo;
  BUILDER_TRY(WriteFileAtomic(path_, doc.dump()));
  dirty_ = false;
  return {};
}

}  // namespace builder::registry
