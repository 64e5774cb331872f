// TreeSummary JSON and the path-level diff used to explain COPY/ADD cache misses.
#include "cache/tree_summary.h"

#include <nlohmann/json.hpp>

#include "cache/json_text.h"

namespace builder::cache {

using nlohmann::json;

std::string TreeSummary::Serialize() const {
  json entries_json = json::object();
  for (const auto& [path, hash] : entries) entries_json[EscapeText(path)] = hash;
  json j = {{"digest", digest}, {"entries", std::move(entries_json)}};
  return j.dump();
}

Result<TreeSummary> TreeSummary::Parse(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Fail(ErrorCode::kParse, "tree summary: malformed JSON");
  if (!j.is_object() || !j.contains("digest") || !j["digest"].is_string() ||
      !j.contains("entries") || !j["entries"].is_object()) {
    return Fail(ErrorCode::kCorrupt, "tree summary: missing digest or entries");
  }
  TreeSummary summary;
  summary.digest = j["digest"].get<std::string>();
  for (const auto& [name, hash] : j["entries"].items()) {
    std::optional<std::string> path = UnescapeText(name);
    if (!path || !hash.is_string()) {
      return Fail(ErrorCode::kCorrupt, "tree summary: bad entry \"" + name + "\"");
    }
    summary.entries[*path] = hash.get<std::string>();
  }
  return summary;
}

std::vector<PathChange> DiffTrees(const TreeSummary& old_summary, const TreeSummary& new_summary,
                                  std::size_t limit, std::size_t* total) {
  std::vector<PathChange> out;
  std::size_t count = 0;
  auto note = [&](const std::string& path, PathChange::Kind kind) {
    ++count;
    if (out.size() < limit) out.push_back({path, kind});
  };
  // A merge of the two sorted maps.
  auto a = old_summary.entries.begin();
  auto b = new_summary.entries.begin();
  while (a != old_summary.entries.end() || b != new_summary.entries.end()) {
    if (b == new_summary.entries.end() || (a != old_summary.entries.end() && a->first < b->first)) {
      note(a->first, PathChange::Kind::kRemoved);
      ++a;
    } else if (a == old_summary.entries.end() || b->first < a->first) {
      note(b->first, PathChange::Kind::kAdded);
      ++b;
    } else {
      if (a->second != b->second) note(a->first, PathChange::Kind::kChanged);
      ++a;
      ++b;
    }
  }
  if (total != nullptr) *total = count;
  return out;
}

std::string DescribeChanges(const std::vector<PathChange>& changes, std::size_t total) {
  std::string out;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (i > 0) out += ", ";
    out += changes[i].path;
    switch (changes[i].kind) {
      case PathChange::Kind::kAdded: out += " added"; break;
      case PathChange::Kind::kRemoved: out += " removed"; break;
      case PathChange::Kind::kChanged: out += " changed"; break;
    }
  }
  if (total > changes.size()) out += " and " + std::to_string(total - changes.size()) + " more";
  return out;
}

}  // namespace builder::cache
