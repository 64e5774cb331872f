// Cache keys of planned steps: key = H(parent key, canonical step, the inputs it reads).
#include "planner/cache_keys.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "base/path.h"
#include "base/sha256.h"
#include "planner/context_sources.h"

namespace builder::planner {
namespace {

// Summary entry of a directory a wildcard matched (its content is in entries of its own).
constexpr const char* kMatchedDirEntry = "matched directory";

// The context-relative name of `sub` below `root`.
std::string Under(const std::string& root, const std::string& sub) {
  return root == "." ? sub : root + "/" + sub;
}

// The context path a RUN bind mount reads, conservatively: a wildcard reads its directory.
std::string ReadRoot(const std::string& source) {
  std::string rel = CleanPath("/" + source);
  rel = rel == "/" ? "." : rel.substr(1);
  if (!HasWildcard(rel)) return rel;
  std::string dir;
  std::size_t i = 0;
  while (i < rel.size()) {
    std::size_t j = rel.find('/', i);
    if (j == std::string::npos) j = rel.size();
    std::string part = rel.substr(i, j - i);
    if (HasWildcard(part)) break;
    dir += (dir.empty() ? "" : "/") + part;
    i = j + 1;
  }
  return dir.empty() ? "." : dir;
}

struct HashedMatch {
  cache::TreeSummary summary;  ///< entries relative to the match ("." for a non-directory)
  bool is_dir = false;
};

// Hashes what COPY copies of one matched source: its resolved tree, less .dockerignore'd
// paths and --exclude'd ones (matched relative to the source, as the copy applies them: a
// directory's entries by their path inside it, a file by its name).
Result<HashedMatch> HashMatch(const ContextSource& match, int context_fd,
                              const filespec::PatternMatcher* ignore,
                              const filespec::PatternMatcher* excludes, cache::FileHashCache& hashes,
                              const cache::ReadProgressFn& on_read, bool need_entries) {
  HashedMatch out;
  const std::string& root = match.resolved;
  cache::HashTreeOptions options;
  options.on_read = on_read;
  options.need_entries = need_entries;
  options.descend_ignored_dirs =
      (ignore && ignore->exclusions()) || (excludes && excludes->exclusions());
  if (ignore || excludes) {
    options.ignore = [ignore, excludes, &root](std::string_view path, bool) -> Result<bool> {
      if (ignore && BUILDER_TRY(ignore->MatchesOrParentMatches(path))) return true;
      if (!excludes) return false;
      std::string_view inside = path;
      if (root != ".") inside.remove_prefix(std::min(inside.size(), root.size() + 1));
      return excludes->MatchesOrParentMatches(inside);
    };
  }
  auto tree = hashes.HashTree(context_fd, root, options);
  if (!tree) {
    if (tree.error().code() == ErrorCode::kNotFound)
      return Fail(ErrorCode::kNotFound, "\"/" + match.path + "\": not found");
    return Fail(std::move(tree.error()));
  }
  // Only a directory's summary comes back elided (from the memo).
  out.is_dir = tree->elided || !(tree->entries.size() == 1 && tree->entries.count(".") == 1);
  if (!out.is_dir && excludes && BUILDER_TRY(excludes->MatchesOrParentMatches(BaseName(root)))) {
    tree->entries.clear();  // the copy leaves an excluded file out
  }
  out.summary = std::move(*tree);
  return out;
}

// The summary of everything one COPY/ADD source reads, entries named from the context root.
// A plain source keeps the digest of its own tree; a wildcard is keyed on which entries
// matched and each one's tree, never on the unmatched rest of their directory.
Result<cache::TreeSummary> HashCopySource(const std::string& source, int context_fd,
                                          const filespec::PatternMatcher* ignore,
                                          const filespec::PatternMatcher* excludes,
                                          cache::FileHashCache& hashes,
                                          const cache::ReadProgressFn& on_read, bool need_entries) {
  const bool wildcard = HasWildcard(source);
  cache::TreeSummary tree;
  std::map<std::string, std::string> match_digests;
  for (const ContextSource& match : BUILDER_TRY(ExpandContextSource(context_fd, source, ignore))) {
    HashedMatch hashed = BUILDER_TRY(
        HashMatch(match, context_fd, ignore, excludes, hashes, on_read, need_entries));
    if (!hashed.is_dir && hashed.summary.entries.empty()) continue;  // an excluded file
    tree.elided = tree.elided || hashed.summary.elided;
    match_digests[match.path] = hashed.summary.digest;
    // A directory match is an entry of its own, so a new (even empty) one is named.
    if (hashed.is_dir && wildcard) tree.entries[match.path] = kMatchedDirEntry;
    for (auto& [path, hash] : hashed.summary.entries)
      tree.entries[path == "." ? match.path : Under(match.path, path)] = std::move(hash);
  }
  if (!wildcard && match_digests.size() == 1) {
    tree.digest = match_digests.begin()->second;
  } else {
    tree.digest =
        cache::CacheKeyBuilder("copy-matches/v1").AddMap("matches", match_digests).Finish().hex();
  }
  return tree;
}

}  // namespace

cache::CacheKey BaseKey(const std::string& base_digest, const std::string& platform) {
  return cache::CacheKeyBuilder("base/v1").Add("base", base_digest).Add("platform", platform).Finish();
}

cache::CacheKey LinkedParentKey() { return cache::CacheKeyBuilder("linked/v1").Finish(); }

Result<cache::StepInputs> HashStepInputs(const Step& step, int context_fd,
                                         const filespec::PatternMatcher* ignore,
                                         cache::FileHashCache& hashes,
                                         const cache::ReadProgressFn& on_read,
                                         bool need_entries) {
  cache::StepInputs inputs;
  for (const auto& [name, value] : step.args) inputs.hashes["build arg " + name] = Sha256Hex(value);
  cache::HashTreeOptions options;
  options.on_read = on_read;
  options.need_entries = need_entries;
  if (ignore) {
    options.ignore = [ignore](std::string_view path, bool) { return ignore->MatchesOrParentMatches(path); };
    options.descend_ignored_dirs = ignore->exclusions();
  }
  if (const auto* run = std::get_if<RunStep>(&step.action)) {
    // A bind mount of the context is read by the command: its content is an input.
    for (const auto& m : run->mounts) {
      if (m.type != "bind" || m.from_stage >= 0 || !m.from_image.empty() || !m.from_dir.empty()) continue;
      std::string root = ReadRoot(m.source.empty() ? "." : m.source);
      auto tree = hashes.HashTree(context_fd, root, options);
      if (!tree) {
        if (tree.error().code() == ErrorCode::kNotFound)
          return Fail(ErrorCode::kNotFound, "\"/" + root + "\": not found");
        return Fail(std::move(tree.error()).Context("hash RUN --mount source " + root));
      }
      inputs.hashes["RUN --mount " + m.target] = tree->digest;
      inputs.trees["RUN --mount " + m.target] = std::move(*tree);
    }
    return inputs;
  }
  const auto* copy = std::get_if<CopyStep>(&step.action);
  if (!copy) return inputs;
  std::optional<filespec::PatternMatcher> excludes;
  if (!copy->excludes.empty()) {
    excludes = BUILDER_TRY(filespec::PatternMatcher::Create(copy->excludes));
  }
  for (const auto& source : copy->sources) {
    std::string label = std::string(copy->add ? "ADD " : "COPY ") + source;
    if (copy->add && (source.starts_with("http://") || source.starts_with("https://"))) {
      inputs.hashes[label] = copy->checksum.empty()
                                 ? "uncacheable-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())
                                 : copy->checksum;
      continue;
    }
    auto tree = HashCopySource(source, context_fd, ignore, excludes ? &*excludes : nullptr,
                               hashes, on_read, need_entries);
    if (!tree) {
      if (tree.error().code() == ErrorCode::kNotFound) return Fail(std::move(tree.error()));
      return Fail(std::move(tree.error()).Context("hash " + label));
    }
    inputs.hashes[label] = tree->digest;
    inputs.trees[label] = std::move(*tree);
  }
  return inputs;
}

void SetFetchedUrlInput(cache::StepInputs& inputs, std::string_view url, std::string_view digest,
                        std::optional<std::int64_t> last_modified) {
  std::string label = "ADD " + std::string(url);
  std::string modified = last_modified ? std::to_string(*last_modified) : std::string("none");
  cache::TreeSummary summary;
  summary.entries["content"] = Sha256Hex(digest);
  summary.entries["last-modified"] = Sha256Hex(modified);
  summary.digest = cache::CacheKeyBuilder("fetched-url/v1")
                       .Add("digest", digest)
                       .Add("last-modified", modified)
                       .Finish()
                       .hex();
  inputs.hashes[label] = summary.digest;
  inputs.trees[label] = std::move(summary);
}

cache::CacheKey StepKey(const cache::CacheKey& parent, const Step& step,
                        const cache::StepInputs& inputs) {
  cache::CacheKeyBuilder b;
  b.AddKey("parent", parent).Add("step", step.canonical).AddMap("inputs", inputs.hashes);
  return b.Finish();
}

}  // namespace builder::planner
