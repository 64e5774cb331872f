// Serializing the exported cache's config blob and building its manifest.
#include "cache/cache_config.h"

#include <nlohmann/json.hpp>
#include <set>

#include "oci/media_types.h"

namespace builder::cache {

using nlohmann::json;

namespace {
constexpr int kVersion = 1;
}  // namespace

std::string SerializeCacheConfig(const std::vector<KeyedEntry>& entries) {
  json list = json::array();
  for (const KeyedEntry& k : entries) {
    // Serialize() never writes tree summaries; they live in the steps/ records only.
    list.push_back({{"key", k.key.hex()}, {"entry", json::parse(k.entry.Serialize(), nullptr, false)}});
  }
  json j = {{"version", kVersion}, {"entries", std::move(list)}};
  return j.dump();
}

Result<std::vector<KeyedEntry>> ParseCacheConfig(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Fail(ErrorCode::kParse, "cache config: malformed JSON");
  if (!j.is_object() || !j.contains("version") || j["version"] != kVersion) {
    return Fail(ErrorCode::kCorrupt, "cache config: not a version 1 cache config");
  }
  if (!j.contains("entries") || !j["entries"].is_array()) {
    return Fail(ErrorCode::kCorrupt, "cache config: \"entries\" is not an array");
  }
  std::vector<KeyedEntry> out;
  std::set<std::string> seen;
  std::size_t i = 0;
  for (const json& item : j["entries"]) {
    const std::string where = "cache config: entries[" + std::to_string(i++) + "]";
    if (!item.is_object() || !item.contains("key") || !item["key"].is_string() ||
        !item.contains("entry") || !item["entry"].is_object()) {
      return Fail(ErrorCode::kCorrupt, where + ": needs a \"key\" string and an \"entry\" object");
    }
    auto key = CacheKey::Parse(item["key"].get<std::string>());
    if (!key || key->empty()) return Fail(ErrorCode::kCorrupt, where + ": bad key");
    auto entry = CacheEntry::Parse(item["entry"].dump());
    if (!entry) return Fail(std::move(entry.error()).Context(where));
    if (!seen.insert(key->hex()).second) return Fail(ErrorCode::kCorrupt, where + ": key listed twice");
    out.push_back({std::move(*key), std::move(*entry)});
  }
  return out;
}

Result<std::vector<oci::Descriptor>> CacheBlobs(
    const std::vector<KeyedEntry>& entries,
    const std::function<Result<std::int64_t>(const oci::Digest&)>& config_size) {
  std::vector<oci::Descriptor> out;
  std::set<std::string> seen;
  for (const KeyedEntry& k : entries) {
    if (k.entry.layer && seen.insert(k.entry.layer->digest.str()).second) out.push_back(*k.entry.layer);
  }
  for (const KeyedEntry& k : entries) {
    if (!seen.insert(k.entry.config.str()).second) continue;
    oci::Descriptor d;
    d.media_type = std::string(oci::kOciConfig);
    d.digest = k.entry.config;
    d.size = BUILDER_TRY(config_size(k.entry.config));
    out.push_back(std::move(d));
  }
  return out;
}

oci::Manifest CacheManifest(const oci::Descriptor& cache_config, std::vector<oci::Descriptor> blobs) {
  oci::Manifest m;
  m.media_type = std::string(oci::kOciManifest);
  m.artifact_type = std::string(kCacheArtifactType);
  m.config = cache_config;
  m.config.media_type = std::string(kCacheConfigMediaType);
  m.layers = std::move(blobs);
  return m;
}

bool IsCacheManifest(const oci::Manifest& manifest) {
  return manifest.config.media_type == kCacheConfigMediaType;
}

}  // namespace builder::cache
