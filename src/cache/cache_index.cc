// The build cache's on-disk index: one JSON file per entry and per explanation record, each
// published atomically.
#include "cache/cache_index.h"

#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <nlohmann/json.hpp>

#include "base/file_lock.h"
#include "base/log.h"
#include "base/path.h"
#include "base/staged_file.h"
#include "cache/json_text.h"
#include "oci/media_types.h"

namespace builder::cache {

using nlohmann::json;

namespace {

// Entry file schema, version 1 (strings that may hold arbitrary bytes are EscapeText'ed):
//   {"version":1, "key":"<hex>", "layer":<descriptor>?, "diff_id":"sha256:.."?,
//    "config":"sha256:..", "history":{"created","created_by","author","comment","empty_layer"},
//    "created":"..", "description":"..", "parent":"<hex>"|"", "step_identity":"..",
//    "inputs":{"<name>":"<hash>"}}
// Step record (steps/): {"version":1, "key", "parent", "step_identity", "inputs",
//    "trees":{"<name>":<TreeSummary>}}
// Identity record (identities/): {"version":1, "parent", "key"}
constexpr int kVersion = 1;
/// Trees larger than this are not kept for explanations: every record of the step would
/// rewrite megabytes.
constexpr std::size_t kMaxExplainedPaths = 50000;

std::string NowRfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json InputsJson(const std::map<std::string, std::string>& hashes) {
  json j = json::object();
  for (const auto& [name, hash] : hashes) j[EscapeText(name)] = EscapeText(hash);
  return j;
}

/// A string member, unescaped; kCorrupt naming the field when missing or malformed.
Result<std::string> Text(const json& j, const char* field, bool required = true) {
  if (!j.contains(field)) {
    if (!required) return std::string();
    return Fail(ErrorCode::kCorrupt, std::string("missing \"") + field + "\"");
  }
  if (!j[field].is_string()) return Fail(ErrorCode::kCorrupt, std::string("\"") + field + "\" is not a string");
  std::optional<std::string> s = UnescapeText(j[field].get<std::string>());
  if (!s) return Fail(ErrorCode::kCorrupt, std::string("\"") + field + "\" has a bad escape");
  return *s;
}

Result<CacheKey> KeyField(const json& j, const char* field) {
  std::string text = BUILDER_TRY(Text(j, field, /*required=*/false));
  if (text.empty()) return CacheKey();  // absent or "": no parent
  return CacheKey::Parse(text);
}

Result<std::map<std::string, std::string>> InputsField(const json& j) {
  std::map<std::string, std::string> out;
  if (!j.contains("inputs")) return out;
  if (!j["inputs"].is_object()) return Fail(ErrorCode::kCorrupt, "\"inputs\" is not an object");
  for (const auto& [name, value] : j["inputs"].items()) {
    std::optional<std::string> n = UnescapeText(name);
    std::optional<std::string> v = value.is_string() ? UnescapeText(value.get<std::string>()) : std::nullopt;
    if (!n || !v) return Fail(ErrorCode::kCorrupt, "bad input \"" + name + "\"");
    out.emplace(std::move(*n), std::move(*v));
  }
  return out;
}

/// A small JSON record file: nullopt when absent, an error when unreadable or malformed.
Result<std::optional<json>> ReadRecord(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) {
    if (text.error().sys_errno() == ENOENT) return std::nullopt;
    return Fail(std::move(text.error()));
  }
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Fail(ErrorCode::kCorrupt, path + ": malformed JSON");
  if (j.value("version", 0) != kVersion) return Fail(ErrorCode::kCorrupt, path + ": unknown version");
  return j;
}

/// Names of the *.json files in dir.
Result<std::vector<std::string>> ListRecords(const std::string& dir) {
  std::vector<std::string> out;
  auto names = ListDirectory(dir);
  if (!names) {
    if (names.error().sys_errno() == ENOENT) return out;
    return Fail(std::move(names.error()));
  }
  for (std::string& name : *names) {
    if (name.ends_with(".json") && !name.starts_with(".")) out.push_back(std::move(name));
  }
  return out;
}

CacheKey IdentityRecordKey(std::string_view step_identity) {
  return CacheKeyBuilder("identity-record/v1").Add("identity", step_identity).Finish();
}

}  // namespace

CacheKey StepKey(const CacheKey& parent, std::string_view step_identity,
                 const StepInputs& inputs) {
  return CacheKeyBuilder("step/v1")
      .AddKey("parent", parent)
      .Add("identity", step_identity)
      .AddMap("inputs", inputs.hashes)
      .Finish();
}

CacheKey StepRecordKey(const CacheKey& parent, std::string_view step_identity) {
  return CacheKeyBuilder("step-record/v1")
      .AddKey("parent", parent)
      .Add("identity", step_identity)
      .Finish();
}

std::string CacheEntry::Serialize() const {
  json j = {{"version", kVersion}};
  if (layer) j["layer"] = json::parse(layer->Serialize(), nullptr, false);
  if (!diff_id.empty()) j["diff_id"] = diff_id.str();
  j["config"] = config.str();
  j["history"] = {{"created", EscapeText(history.created)},
                  {"created_by", EscapeText(history.created_by)},
                  {"author", EscapeText(history.author)},
                  {"comment", EscapeText(history.comment)},
                  {"empty_layer", history.empty_layer}};
  j["created"] = EscapeText(created);
  j["description"] = EscapeText(description);
  j["parent"] = parent.hex();
  j["step_identity"] = EscapeText(step_identity);
  j["inputs"] = InputsJson(inputs.hashes);
  return j.dump();
}

Result<CacheEntry> CacheEntry::Parse(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Fail(ErrorCode::kParse, "cache entry: malformed JSON");
  if (!j.is_object() || j.value("version", 0) != kVersion) {
    return Fail(ErrorCode::kCorrupt, "cache entry: not a version 1 entry");
  }
  auto parse = [&]() -> Result<CacheEntry> {
    CacheEntry e;
    if (j.contains("layer")) e.layer = BUILDER_TRY(oci::Descriptor::Parse(j["layer"].dump()));
    std::string diff_id = BUILDER_TRY(Text(j, "diff_id", false));
    if (!diff_id.empty()) e.diff_id = BUILDER_TRY(oci::Digest::Parse(diff_id));
    if (e.layer.has_value() != !e.diff_id.empty()) {
      return Fail(ErrorCode::kCorrupt, "layer and diff_id must come together");
    }
    std::string config = BUILDER_TRY(Text(j, "config"));
    e.config = BUILDER_TRY(oci::Digest::Parse(config));
    if (!j.contains("history") || !j["history"].is_object()) {
      return Fail(ErrorCode::kCorrupt, "missing \"history\"");
    }
    const json& h = j["history"];
    e.history.created = BUILDER_TRY(Text(h, "created", false));
    e.history.created_by = BUILDER_TRY(Text(h, "created_by", false));
    e.history.author = BUILDER_TRY(Text(h, "author", false));
    e.history.comment = BUILDER_TRY(Text(h, "comment", false));
    e.history.empty_layer = h.value("empty_layer", false);
    e.created = BUILDER_TRY(Text(j, "created", false));
    e.description = BUILDER_TRY(Text(j, "description", false));
    e.parent = BUILDER_TRY(KeyField(j, "parent"));
    e.step_identity = BUILDER_TRY(Text(j, "step_identity", false));
    e.inputs.hashes = BUILDER_TRY(InputsField(j));
    return e;
  };
  auto e = parse();
  if (!e) return Fail(std::move(e.error()).Context("cache entry"));
  return e;
}

Result<CacheIndex> CacheIndex::Open(const oci::ImageStore& store) {
  std::string dir = JoinPath(store.root(), "cache");
  for (const char* sub : {"entries", "steps", "identities", "filehash"}) {
    BUILDER_TRY(MakeDirs(dir + "/" + sub));
  }
  return CacheIndex(store, std::move(dir));
}

std::string CacheIndex::EntryPath(const CacheKey& key) const {
  return dir_ + "/entries/" + key.hex() + ".json";
}

Result<void> CacheIndex::WriteRecord(const std::string& path, std::string_view text) const {
  StagedFile staged = BUILDER_TRY(StagedFile::Create(store_->blobs().TmpDir()));
  BUILDER_TRY(staged.Write(text));
  return staged.Commit(path);
}

Result<std::optional<CacheEntry>> CacheIndex::Lookup(const CacheKey& key) const {
  if (key.empty()) return Fail(ErrorCode::kInvalidArgument, "cache lookup: empty key");
  const std::string path = EntryPath(key);
  auto text = ReadFile(path);
  if (!text) {
    if (text.error().sys_errno() == ENOENT) return std::nullopt;
    return Fail(std::move(text.error()).Context("cache lookup " + key.hex().substr(0, 12)));
  }
  auto entry = CacheEntry::Parse(*text);
  if (!entry) {
    LogWarn("cache entry " + path + " is damaged, treated as a miss: " + entry.error().ToString());
    return std::nullopt;
  }
  json j = json::parse(*text, nullptr, false);
  if (!j.contains("key") || j["key"] != key.hex()) {
    LogWarn("cache entry " + path + " belongs to another key, treated as a miss");
    return std::nullopt;
  }
  // A hit must be usable: its blobs may have been pruned or removed by hand.
  if (!store_->blobs().Has(entry->config) ||
      (entry->layer && !store_->blobs().Has(entry->layer->digest))) {
    LogInfo("cache entry " + key.hex().substr(0, 12) + " refers to missing blobs, treated as a miss");
    return std::nullopt;
  }
  return std::optional<CacheEntry>(std::move(*entry));
}

Result<oci::ImageConfig> CacheIndex::LoadConfig(const CacheEntry& entry) const {
  auto bytes = store_->blobs().Read(entry.config);
  if (!bytes) return Fail(std::move(bytes.error()).Context("load cached config " + entry.config.str()));
  auto config = oci::ImageConfig::Parse(*bytes);
  if (!config) return Fail(std::move(config.error()).Context("load cached config " + entry.config.str()));
  return config;
}

Result<void> CacheIndex::Record(const CacheKey& key, const CacheEntry& entry) const {
  if (key.empty()) return Fail(ErrorCode::kInvalidArgument, "cache record: empty key");
  if (entry.config.empty()) return Fail(ErrorCode::kInvalidArgument, "cache record: no config");
  if (entry.layer.has_value() != !entry.diff_id.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cache record: layer and diff_id must come together");
  }
  CacheEntry stored = entry;
  if (stored.created.empty()) stored.created = NowRfc3339();
  json j = json::parse(stored.Serialize(), nullptr, false);
  j["key"] = key.hex();
  BUILDER_TRY(WriteRecord(EntryPath(key), j.dump()));

  json trees = json::object();
  for (const auto& [name, tree] : entry.inputs.trees) {
    // Too big to store, or hashed without entries: explained as a whole instead.
    if (tree.elided || tree.entries.size() > kMaxExplainedPaths) continue;
    trees[EscapeText(name)] = json::parse(tree.Serialize(), nullptr, false);
  }
  json step = {{"version", kVersion},
               {"key", key.hex()},
               {"parent", entry.parent.hex()},
               {"step_identity", EscapeText(entry.step_identity)},
               {"inputs", InputsJson(entry.inputs.hashes)},
               {"trees", std::move(trees)}};
  BUILDER_TRY(WriteRecord(dir_ + "/steps/" + StepRecordKey(entry.parent, entry.step_identity).hex() +
                              ".json",
                          step.dump()));
  json identity = {{"version", kVersion}, {"parent", entry.parent.hex()}, {"key", key.hex()}};
  return WriteRecord(dir_ + "/identities/" + IdentityRecordKey(entry.step_identity).hex() + ".json",
                     identity.dump());
}

std::string CacheIndex::Explain(const CacheKey& parent, std::string_view step_identity,
                                const StepInputs& inputs) const {
  const std::string step_path =
      dir_ + "/steps/" + StepRecordKey(parent, step_identity).hex() + ".json";
  auto step = ReadRecord(step_path);
  if (step && *step) {
    const json& j = **step;
    auto old_hashes = InputsField(j);
    if (!old_hashes) return "no cache entry";
    std::vector<std::string> reasons;
    auto tree_of = [&](const std::string& name) -> std::optional<TreeSummary> {
      if (!j.contains("trees") || !j["trees"].is_object()) return std::nullopt;
      std::string escaped = EscapeText(name);
      if (!j["trees"].contains(escaped)) return std::nullopt;
      auto t = TreeSummary::Parse(j["trees"][escaped].dump());
      if (!t) return std::nullopt;
      return *t;
    };
    auto a = old_hashes->begin();
    auto b = inputs.hashes.begin();
    while (a != old_hashes->end() || b != inputs.hashes.end()) {
      if (b == inputs.hashes.end() || (a != old_hashes->end() && a->first < b->first)) {
        reasons.push_back(a->first + " removed");
        ++a;
      } else if (a == old_hashes->end() || b->first < a->first) {
        reasons.push_back(b->first + " added");
        ++b;
      } else {
        if (a->second != b->second) {
          std::string reason = a->first + " changed";
          auto now_tree = inputs.trees.find(a->first);
          std::optional<TreeSummary> old_tree = tree_of(a->first);
          if (now_tree != inputs.trees.end() && !now_tree->second.elided && old_tree) {
            std::size_t total = 0;
            auto changes = DiffTrees(*old_tree, now_tree->second, 3, &total);
            if (!changes.empty()) reason = a->first + ": " + DescribeChanges(changes, total);
          }
          reasons.push_back(std::move(reason));
        }
        ++a;
        ++b;
      }
    }
    if (reasons.empty()) {
      return "the cache entry of an identical earlier build is gone (pruned or damaged)";
    }
    std::string out;
    for (std::size_t i = 0; i < reasons.size() && i < 3; ++i) out += (i ? "; " : "") + reasons[i];
    if (reasons.size() > 3) out += "; and " + std::to_string(reasons.size() - 3) + " more inputs changed";
    return out;
  }
  if (!step) LogWarn("cache record " + step_path + " ignored: " + step.error().ToString());
  auto identity =
      ReadRecord(dir_ + "/identities/" + IdentityRecordKey(step_identity).hex() + ".json");
  if (identity && *identity) {
    auto old_parent = KeyField(**identity, "parent");
    if (old_parent && *old_parent != parent) return "base image or an earlier step changed";
  }
  return "no cache entry";
}

Result<std::vector<oci::Descriptor>> CacheIndex::ReferencedBlobs() const {
  std::vector<oci::Descriptor> out;
  const std::string dir = dir_ + "/entries";
  for (const std::string& name : BUILDER_TRY(ListRecords(dir))) {
    auto text = ReadFile(dir + "/" + name);
    if (!text) {
      if (text.error().sys_errno() == ENOENT) continue;  // replaced or cleared meanwhile
      return Fail(std::move(text.error()));
    }
    auto entry = CacheEntry::Parse(*text);
    if (!entry) {
      LogWarn("cache entry " + dir + "/" + name + " is damaged, skipped: " + entry.error().ToString());
      continue;
    }
    if (entry->layer) out.push_back(*entry->layer);
    oci::Descriptor config;
    config.media_type = std::string(oci::kOciConfig);
    config.digest = entry->config;
    if (auto size = store_->blobs().SizeOf(entry->config)) config.size = *size;
    out.push_back(std::move(config));
  }
  return out;
}

Result<std::uint64_t> CacheIndex::Clear() const {
  FileLock gc = BUILDER_TRY(FileLock::Acquire(store_->LockPath("gc"), FileLock::Mode::kExclusive));
  std::uint64_t removed = 0;
  for (const char* sub : {"entries", "steps", "identities"}) {
    const std::string dir = dir_ + "/" + sub;
    for (const std::string& name : BUILDER_TRY(ListRecords(dir))) {
      if (::unlink((dir + "/" + name).c_str()) != 0 && errno != ENOENT) {
        return FailErrno("remove " + dir + "/" + name, errno);
      }
      if (std::string_view(sub) == "entries") ++removed;
    }
    BUILDER_TRY(SyncDirectory(dir));
  }
  // The per-key step locks of builds (executor): no build runs while the gc lock is ours, so
  // none holds or waits on one.
  const std::string locks = store_->LockPath("steps");
  auto lock_names = ListDirectory(locks);
  for (const std::string& name : lock_names ? *lock_names : std::vector<std::string>{}) {
    if (::unlink((locks + "/" + name).c_str()) != 0 && errno != ENOENT)
      return FailErrno("remove " + locks + "/" + name, errno);
  }
  return removed;
}

}  // namespace builder::cache
