// Writing and reading the inline build cache field of an image config.
#include "cache/inline_cache.h"

#include <nlohmann/json.hpp>
#include <set>

namespace builder::cache {

using nlohmann::json;

namespace {

constexpr int kVersion = 1;

std::set<std::string> LayerDigests(const std::vector<oci::Descriptor>& layers) {
  std::set<std::string> out;
  for (const oci::Descriptor& d : layers) out.insert(d.digest.str());
  return out;
}

}  // namespace

Result<std::string> AddInlineCache(std::string_view config_json, const std::vector<KeyedEntry>& entries,
                                   const std::vector<oci::Descriptor>& layers) {
  json config = json::parse(config_json, nullptr, false);
  if (config.is_discarded() || !config.is_object())
    return Fail(ErrorCode::kParse, "inline cache: the image config is not a JSON object");
  const std::set<std::string> have = LayerDigests(layers);
  json list = json::array();
  for (const KeyedEntry& k : entries) {
    if (k.entry.layer && !have.count(k.entry.layer->digest.str())) continue;
    json entry = json::parse(k.entry.Serialize(), nullptr, false);
    entry.erase("config");
    list.push_back({{"key", k.key.hex()}, {"entry", std::move(entry)}});
  }
  config[std::string(kInlineCacheField)] = {{"version", kVersion}, {"entries", std::move(list)}};
  return config.dump();
}

Result<std::vector<KeyedEntry>> ReadInlineCache(std::string_view config_json,
                                                const oci::Digest& config_digest,
                                                const std::vector<oci::Descriptor>& layers) {
  json config = json::parse(config_json, nullptr, false);
  if (config.is_discarded() || !config.is_object())
    return Fail(ErrorCode::kParse, "inline cache: the image config is not a JSON object");
  const std::string field(kInlineCacheField);
  if (!config.contains(field)) return std::vector<KeyedEntry>();
  json& cache = config[field];
  if (!cache.is_object() || !cache.contains("version") || cache["version"] != kVersion ||
      !cache.contains("entries") || !cache["entries"].is_array()) {
    return Fail(ErrorCode::kCorrupt, "inline cache: \"" + field + "\" is not a version 1 cache");
  }
  json list = json::array();
  for (json& item : cache["entries"]) {
    if (item.is_object() && item.contains("entry") && item["entry"].is_object())
      item["entry"]["config"] = config_digest.str();
    list.push_back(std::move(item));
  }
  json wrapped = {{"version", kVersion}, {"entries", std::move(list)}};
  auto parsed = ParseCacheConfig(wrapped.dump());
  if (!parsed) return Fail(std::move(parsed.error()).Context("inline cache"));
  const std::set<std::string> have = LayerDigests(layers);
  std::vector<KeyedEntry> out;
  for (KeyedEntry& k : *parsed) {
    if (k.entry.layer && !have.count(k.entry.layer->digest.str())) continue;
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace builder::cache
