// Store verification: every blob re-hashed, every reference followed.
#include "oci/fsck.h"

#include <map>
#include <set>

namespace builder::oci {

namespace {

constexpr int kMaxNesting = 8;

class Checker {
 public:
  Checker(const ImageStore& store, FsckReport& report) : store_(store), report_(report) {}

  void VerifyBlobs(Progress* progress) {
    auto strays = store_.blobs().ListStrays();
    if (strays) {
      for (const std::string& name : *strays) Problem("stray file blobs/sha256/" + name);
    }
    auto list = store_.blobs().List();
    if (!list) return Problem(list.error().ToString());
    std::uint64_t total = 0;
    for (const Digest& d : *list) {
      if (auto size = store_.blobs().SizeOf(d)) total += static_cast<std::uint64_t>(*size);
    }
    if (progress != nullptr) progress->Start("verify blobs", total);
    for (const Digest& d : *list) {
      ++report_.blobs;
      auto verified = store_.blobs().Verify(d);
      if (verified) {
        good_.insert(d);
      } else {
        Problem(verified.error().ToString());
      }
      if (progress != nullptr) {
        if (auto size = store_.blobs().SizeOf(d)) progress->Advance(static_cast<std::uint64_t>(*size));
      }
    }
    if (progress != nullptr) progress->Finish();
  }

  void CheckIndex() {
    auto index = store_.ReadIndex();
    if (!index) return Problem(index.error().ToString());
    std::map<std::string, Digest> names;
    std::set<Digest> entries;
    for (const Descriptor& entry : index->manifests) {
      entries.insert(entry.digest);
      auto name = entry.annotations.find(std::string(kAnnotationRefName));
      if (name != entry.annotations.end()) {
        auto [it, fresh] = names.emplace(name->second, entry.digest);
        if (!fresh && it->second != entry.digest) {
          Problem("index.json: " + name->second + " names both " + it->second.str() + " and " +
                  entry.digest.str());
        }
      }
      CheckGraph(entry);
    }
    report_.images = entries.size();
  }

 private:
  void Problem(std::string text) { report_.problems.push_back(std::move(text)); }

  /// True when the blob exists, verified, with the expected size; reports otherwise.
  bool CheckBlob(const Descriptor& d, const std::string& from) {
    if (!d.digest.is_sha256()) {
      Problem(from + ": unsupported digest " + d.digest.str());
      return false;
    }
    if (!store_.blobs().Has(d.digest)) {
      Problem(from + ": " + d.media_type + " " + d.digest.str() + " is missing");
      return false;
    }
    if (!good_.contains(d.digest)) return false;  // already reported as corrupt
    auto size = store_.blobs().SizeOf(d.digest);
    if (size && *size != d.size) {
      Problem(from + ": " + d.digest.str() + " is " + std::to_string(*size) +
              " bytes, descriptor says " + std::to_string(d.size));
      return false;
    }
    return true;
  }

  void CheckGraph(const Descriptor& root) {
    struct Item {
      Descriptor d;
      std::string from;
      int depth;
    };
    std::vector<Item> work{{root, "index.json", 0}};
    while (!work.empty()) {
      Item item = std::move(work.back());
      work.pop_back();
      if (!visited_.insert(item.d.digest).second) continue;
      if (!CheckBlob(item.d, item.from)) continue;
      const std::string here = item.d.media_type.empty() ? item.d.digest.str()
                                                         : "manifest " + item.d.digest.str();
      if (IsIndex(item.d.media_type)) {
        auto index = ReadAs<ImageIndex>(item.d);
        if (!index) continue;
        if (item.depth >= kMaxNesting) {
          Problem("index " + item.d.digest.str() + ": nested too deeply");
          continue;
        }
        for (const Descriptor& child : index->manifests) {
          work.push_back({child, "index " + item.d.digest.str(), item.depth + 1});
        }
      } else if (IsManifest(item.d.media_type)) {
        auto manifest = ReadAs<Manifest>(item.d);
        if (!manifest) continue;
        for (const Descriptor& layer : manifest->layers) CheckBlob(layer, here);
        if (!CheckBlob(manifest->config, here) || !IsConfig(manifest->config.media_type)) continue;
        auto config = ReadAs<ImageConfig>(manifest->config);
        if (config && config->rootfs.diff_ids.size() != manifest->layers.size()) {
          Problem(here + ": " + std::to_string(manifest->layers.size()) + " layers but config " +
                  manifest->config.digest.str() + " has " +
                  std::to_string(config->rootfs.diff_ids.size()) + " diff_ids");
        }
      } else {
        Problem(item.from + ": entry " + item.d.digest.str() + " has media type " +
                item.d.media_type + ", not a manifest or index");
      }
    }
  }

  template <class T>
  std::optional<T> ReadAs(const Descriptor& d) {
    auto bytes = store_.blobs().Read(d);
    if (!bytes) {
      Problem(bytes.error().ToString());
      return std::nullopt;
    }
    auto parsed = T::Parse(*bytes);
    if (!parsed) {
      Problem("blob " + d.digest.str() + ": " + parsed.error().ToString());
      return std::nullopt;
    }
    return std::move(*parsed);
  }

  const ImageStore& store_;
  FsckReport& report_;
  std::set<Digest> good_;
  std::set<Digest> visited_;
};

}  // namespace

Result<FsckReport> Fsck(const ImageStore& store, Progress* progress) {
  FsckReport report;
  Checker checker(store, report);
  checker.VerifyBlobs(progress);
  checker.CheckIndex();
  return report;
}

}  // namespace builder::oci
