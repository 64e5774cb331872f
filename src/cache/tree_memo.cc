// The tree-digest memo: its key over walked stats, and its small text file.
#include "cache/tree_memo.h"

#include <algorithm>
#include <cstdint>
#include <sstream>

#include "base/path.h"
#include "base/sha256.h"
#include "base/staged_file.h"

namespace builder::cache {
namespace {

bool IsHex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

template <class T>
void Put64(std::string& out, T value) {
  auto v = static_cast<std::uint64_t>(value);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace

std::string TreeMemoKey(std::string_view root, const std::vector<WalkEntry>& entries) {
  Sha256 sha;
  sha.Update("tree-memo/v2");
  sha.Update(root);
  sha.Update(std::string_view("\0", 1));
  std::string record;
  for (const WalkEntry& e : entries) {
    record.clear();
    Put64(record, e.path.size());
    record += e.path;
    Put64(record, e.st.st_mode);
    Put64(record, e.st.st_uid);
    Put64(record, e.st.st_gid);
    Put64(record, e.st.st_size);
    Put64(record, e.st.st_dev);
    Put64(record, e.st.st_ino);
    Put64(record, e.st.st_rdev);
    Put64(record, e.st.st_mtim.tv_sec);
    Put64(record, e.st.st_mtim.tv_nsec);
    Put64(record, e.st.st_ctim.tv_sec);
    Put64(record, e.st.st_ctim.tv_nsec);
    Put64(record, e.link_target.size());
    record += e.link_target;
    record.push_back(e.ignored ? 1 : 0);
    sha.Update(record);
  }
  return sha.FinishHex();
}

TreeMemo TreeMemo::Load(std::string path) {
  TreeMemo memo;
  memo.path_ = std::move(path);
  auto text = ReadFile(memo.path_);
  if (!text) return memo;
  std::istringstream in(*text);
  std::string key, digest;
  std::vector<std::pair<std::string, std::string>> lines;
  while (in >> key >> digest) {
    if (IsHex64(key) && IsHex64(digest)) lines.emplace_back(key, digest);
  }
  // The file lists the most recently used first; anything used from now on ranks above.
  memo.clock_ = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    memo.slots_.emplace(std::move(lines[i].first), Slot{std::move(lines[i].second), lines.size() - i});
  }
  return memo;
}

std::optional<std::string> TreeMemo::Find(const std::string& key) {
  auto it = slots_.find(key);
  if (it == slots_.end()) return std::nullopt;
  it->second.order = ++clock_;
  return it->second.digest;
}

void TreeMemo::Put(const std::string& key, const std::string& digest) {
  Slot& slot = slots_[key];
  if (slot.digest != digest) dirty_ = true;
  slot.digest = digest;
  slot.order = ++clock_;
}

Result<void> TreeMemo::Save(const std::string& tmp_dir) const {
  if (!dirty_ || path_.empty()) return {};
  std::vector<std::pair<std::string, const Slot*>> sorted;
  sorted.reserve(slots_.size());
  for (const auto& [key, slot] : slots_) sorted.emplace_back(key, &slot);
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second->order != b.second->order ? a.second->order > b.second->order : a.first < b.first;
  });
  std::string text;
  for (std::size_t i = 0; i < sorted.size() && i < kMaxEntries; ++i) {
    text += sorted[i].first + " " + sorted[i].second->digest + "\n";
  }
  StagedFile staged = BUILDER_TRY(StagedFile::CreateLeased(tmp_dir));
  BUILDER_TRY(staged.Write(text));
  return staged.Commit(path_);
}

}  // namespace builder::cache
