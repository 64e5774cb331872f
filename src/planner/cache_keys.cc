// Cache keys of planned steps: key = H(parent key, canonical step, the inputs it reads).
#include "planner/cache_keys.h"

#include <chrono>

#include "base/path.h"
#include "base/sha256.h"

namespace builder::planner {
namespace {

bool HasWildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

// The context path a source reads, conservatively: a wildcard source reads its directory.
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

}  // namespace

cache::CacheKey BaseKey(const std::string& base_digest, const std::string& platform) {
  return cache::CacheKeyBuilder("base/v1").Add("base", base_digest).Add("platform", platform).Finish();
}

Result<cache::StepInputs> HashStepInputs(const Step& step, int context_fd,
                                         const parser::PatternMatcher* ignore,
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
      if (m.type != "bind" || m.from_stage >= 0 || !m.from_image.empty()) continue;
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
  for (const auto& source : copy->sources) {
    std::string label = std::string(copy->add ? "ADD " : "COPY ") + source;
    if (copy->add && (source.starts_with("http://") || source.starts_with("https://"))) {
      inputs.hashes[label] = copy->checksum.empty()
                                 ? "uncacheable-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())
                                 : copy->checksum;
      continue;
    }
    std::string root = ReadRoot(source);
    if (root != "." && ignore && !HasWildcard(source)) {
      auto ignored = ignore->MatchesOrParentMatches(root);
      if (ignored && *ignored) return Fail(ErrorCode::kNotFound, "\"/" + root + "\": not found");
    }
    auto tree = hashes.HashTree(context_fd, root, options);
    if (!tree) {
      if (tree.error().code() == ErrorCode::kNotFound)
        return Fail(ErrorCode::kNotFound, "\"/" + root + "\": not found");
      return Fail(std::move(tree.error()).Context("hash " + label));
    }
    inputs.hashes[label] = tree->digest;
    // Name entries from the context root, so a miss reads "src/main.c changed".
    if (root != ".") {
      std::map<std::string, std::string> renamed;
      for (auto& [path, hash] : tree->entries)
        renamed[path == "." ? root : root + "/" + path] = std::move(hash);
      tree->entries = std::move(renamed);
    }
    inputs.trees[label] = std::move(*tree);
  }
  return inputs;
}

cache::CacheKey StepKey(const cache::CacheKey& parent, const Step& step,
                        const cache::StepInputs& inputs) {
  cache::CacheKeyBuilder b;
  b.AddKey("parent", parent).Add("step", step.canonical).AddMap("inputs", inputs.hashes);
  return b.Finish();
}

}  // namespace builder::planner
