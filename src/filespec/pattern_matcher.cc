// Compiles .dockerignore patterns the way moby/patternmatcher does and answers match queries.
#include "filespec/pattern_matcher.h"

#include <optional>

#include "filespec/glob_regexp.h"
#include "base/path.h"
#include "base/go_compat.h"

namespace builder::filespec {

namespace {

// moby picks the cheapest test that gives its regexp's answer, but the shortcuts are not
// always equivalent to the regexp ("**file" is a plain suffix test and so matches "xfile");
// we keep the same four kinds so every answer agrees with BuildKit's.
enum class MatchType { kExact, kPrefix, kSuffix, kRegexp };

Error BadPattern(std::string_view pattern) {
  return Error(ErrorCode::kParse, "syntax error in pattern: \"" + std::string(pattern) + "\"");
}

// Go's filepath.Match(pattern, ".") fails exactly when some '*'-separated chunk of the pattern
// is malformed, whatever the name; this reads each chunk with Match's own grammar.
class GoGlobSyntax {
 public:
  static bool Valid(std::string_view pattern) {
    while (!pattern.empty()) {
      while (!pattern.empty() && pattern.front() == '*') pattern.remove_prefix(1);
      std::size_t end = ChunkEnd(pattern);
      if (!ChunkValid(pattern.substr(0, end))) return false;
      pattern.remove_prefix(end);
    }
    return true;
  }

 private:
  // A chunk runs up to the next '*' outside brackets; a backslash hides the byte after it.
  static std::size_t ChunkEnd(std::string_view p) {
    bool in_range = false;
    std::size_t i = 0;
    for (; i < p.size(); ++i) {
      switch (p[i]) {
        case '\\':
          if (i + 1 < p.size()) ++i;
          break;
        case '[': in_range = true; break;
        case ']': in_range = false; break;
        case '*':
          if (!in_range) return i;
          break;
        default: break;
      }
    }
    return i;
  }

  // One class member ("a", "\]", "ζ"); it must be followed by more of the class.
  static bool ClassChar(std::string_view c, std::size_t* i) {
    if (*i >= c.size() || c[*i] == '-' || c[*i] == ']') return false;
    if (c[*i] == '\\' && ++*i >= c.size()) return false;
    gocompat::DecodedRune r = gocompat::DecodeRune(c, *i);
    if (r.value == gocompat::kRuneError && r.size == 1) return false;
    *i += r.size;
    return *i < c.size();
  }

  static bool ChunkValid(std::string_view c) {
    std::size_t i = 0;
    while (i < c.size()) {
      if (c[i] == '[') {
        ++i;
        if (i < c.size() && c[i] == '^') ++i;
        for (int ranges = 0;; ++ranges) {
          if (i < c.size() && c[i] == ']' && ranges > 0) {
            ++i;
            break;
          }
          if (!ClassChar(c, &i)) return false;
          if (c[i] == '-' && !ClassChar(c, &++i)) return false;
        }
      } else if (c[i] == '\\') {
        if (i + 1 >= c.size()) return false;
        i += 2;
      } else {
        ++i;
      }
    }
    return true;
  }
};

bool IsRegexpMeta(char32_t ch) {
  switch (ch) {
    case '.': case '+': case '(': case ')': case '|': case '{': case '}': case '$': return true;
    default: return false;
  }
}

struct Translation {
  MatchType type = MatchType::kExact;
  std::string regexp;
};

// moby's glob-to-regexp rewrite: '*' -> [^/]*, '?' -> [^/], "**" (eating one '/') -> (.*/)?,
// a trailing "**" -> prefix test or .*, a leading "**" -> suffix test unless anything later
// needs the regexp. '[' and ']' pass through untouched, so classes follow regexp rules.
Translation Translate(std::string_view pattern) {
  // Go reads the pattern with text/scanner: runes, invalid bytes as U+FFFD, leading BOM skipped.
  std::vector<char32_t> runes;
  for (std::size_t i = 0; i < pattern.size();) {
    gocompat::DecodedRune r = gocompat::DecodeRune(pattern, i);
    i += r.size;
    if (runes.empty() && i == r.size && r.value == 0xFEFF) continue;
    runes.push_back(r.value);
  }
  Translation t;
  t.regexp = "^";
  std::size_t k = 0;
  auto peek = [&](char32_t c) { return k < runes.size() && runes[k] == c; };
  for (int i = 0; k < runes.size(); ++i) {
    const char32_t ch = runes[k++];
    if (ch == '*') {
      if (peek('*')) {
        ++k;
        if (peek('/')) ++k;
        if (k == runes.size()) {
          if (t.type == MatchType::kExact) {
            t.type = MatchType::kPrefix;
          } else {
            t.regexp += ".*";
            t.type = MatchType::kRegexp;
          }
        } else {
          t.regexp += "(.*/)?";
          t.type = MatchType::kRegexp;
        }
        if (i == 0) t.type = MatchType::kSuffix;
      } else {
        t.regexp += "[^/]*";
        t.type = MatchType::kRegexp;
      }
    } else if (ch == '?') {
      t.regexp += "[^/]";
      t.type = MatchType::kRegexp;
    } else if (IsRegexpMeta(ch)) {
      t.regexp += '\\';
      t.regexp += static_cast<char>(ch);
    } else if (ch == '\\') {
      if (k < runes.size()) {
        t.regexp += '\\';
        gocompat::AppendRune(t.regexp, runes[k++]);
        t.type = MatchType::kRegexp;
      } else {
        t.regexp += '\\';  // unreachable: the syntax check rejects a trailing backslash
      }
    } else if (ch == '[' || ch == ']') {
      t.regexp += static_cast<char>(ch);
      t.type = MatchType::kRegexp;
    } else {
      gocompat::AppendRune(t.regexp, ch);
    }
  }
  if (t.type == MatchType::kRegexp) t.regexp += '$';
  return t;
}

}  // namespace

struct PatternMatcher::Pattern {
  std::string text;  ///< cleaned, without the '!'
  bool exclusion = false;
  MatchType type = MatchType::kExact;
  std::optional<GlobRegexp> regexp;
  bool broken = false;  ///< the regexp failed to compile: every match reports a bad pattern
};

PatternMatcher::PatternMatcher() = default;
PatternMatcher::PatternMatcher(const PatternMatcher&) = default;
PatternMatcher::PatternMatcher(PatternMatcher&&) noexcept = default;
PatternMatcher& PatternMatcher::operator=(const PatternMatcher&) = default;
PatternMatcher& PatternMatcher::operator=(PatternMatcher&&) noexcept = default;
PatternMatcher::~PatternMatcher() = default;

Result<PatternMatcher> PatternMatcher::Create(const std::vector<std::string>& patterns) {
  PatternMatcher pm;
  pm.patterns_.reserve(patterns.size());
  for (const std::string& raw : patterns) {
    std::string_view trimmed = gocompat::TrimSpace(raw);
    if (trimmed.empty()) continue;
    std::string cleaned = CleanPath(trimmed);
    Pattern p;
    if (cleaned.front() == '!') {
      if (cleaned.size() == 1) return Fail(ErrorCode::kParse, "illegal exclusion pattern: \"!\"");
      p.exclusion = true;
      pm.exclusions_ = true;
      cleaned.erase(0, 1);
    }
    if (!GoGlobSyntax::Valid(cleaned)) return Fail(BadPattern(cleaned));
    Translation t = Translate(cleaned);
    p.type = t.type;
    if (t.type == MatchType::kRegexp) {
      // Go compiles lazily and reports the failure on each match; we compile now and remember.
      auto re = GlobRegexp::Compile(t.regexp);
      if (re) {
        p.regexp = std::move(*re);
      } else {
        p.broken = true;
      }
    }
    p.text = std::move(cleaned);
    pm.patterns_.push_back(std::move(p));
  }
  return pm;
}

std::size_t PatternMatcher::size() const { return patterns_.size(); }

std::vector<std::string> PatternMatcher::patterns() const {
  std::vector<std::string> out;
  for (const Pattern& p : patterns_) out.push_back(p.exclusion ? "!" + p.text : p.text);
  return out;
}

Result<bool> PatternMatcher::MatchOne(const Pattern& p, std::string_view path) const {
  if (p.broken) return Fail(BadPattern(p.text));
  switch (p.type) {
    case MatchType::kExact:
      return path == p.text;
    case MatchType::kPrefix:
      return path.starts_with(std::string_view(p.text).substr(0, p.text.size() - 2));
    case MatchType::kSuffix: {
      std::string_view suffix = std::string_view(p.text).substr(2);
      if (path.ends_with(suffix)) return true;
      return !suffix.empty() && suffix.front() == '/' && path == suffix.substr(1);  // "**/foo" ~ "foo"
    }
    case MatchType::kRegexp:
      return p.regexp->Match(path);
  }
  return false;
}

Result<bool> PatternMatcher::MatchOneOrParents(const Pattern& p, std::string_view path) const {
  auto self = MatchOne(p, path);
  if (!self || *self) return self;
  const std::string parent = DirName(path);
  if (parent == ".") return false;
  // Each leading run of the parent's segments: "a", "a/b", ... (as Go's Split + Join yields).
  for (std::size_t slash = parent.find('/'); slash != std::string::npos;
       slash = parent.find('/', slash + 1)) {
    if (MatchOne(p, std::string_view(parent).substr(0, slash)).value_or(false)) return true;
  }
  return MatchOne(p, parent).value_or(false);
}

Result<bool> PatternMatcher::MatchesOrParentMatches(std::string_view path) const {
  if (path.empty() || path == ".") return false;  // never ignore the context root itself
  bool matched = false;
  for (const Pattern& p : patterns_) {
    // Only a plain pattern can change "kept" and only an exclusion can change "ignored".
    if (p.exclusion != matched) continue;
    auto match = MatchOneOrParents(p, path);
    if (!match) return match;
    if (*match) matched = !p.exclusion;
  }
  return matched;
}

Result<bool> PatternMatcher::MatchesUsingParentResults(std::string_view path, const MatchInfo& parent,
                                                       MatchInfo* out) const {
  const std::vector<bool>& parent_matched = parent.parent_matched;
  if (!parent_matched.empty() && parent_matched.size() != patterns_.size())
    return Fail(ErrorCode::kInvalidArgument, "wrong number of values in parentMatched");
  MatchInfo info;
  if (path.empty() || path == ".") {
    if (out) *out = std::move(info);
    return false;
  }
  info.parent_matched.assign(patterns_.size(), false);
  bool matched = false;
  for (std::size_t i = 0; i < patterns_.size(); ++i) {
    const Pattern& p = patterns_[i];
    // A pattern that matched the parent matches everything below it, whatever came before.
    bool match = !parent_matched.empty() && parent_matched[i];
    if (!match) {
      if (p.exclusion != matched) continue;
      auto fresh = parent_matched.empty() ? MatchOneOrParents(p, path) : MatchOne(p, path);
      if (!fresh) return fresh;
      match = *fresh;
    }
    info.parent_matched[i] = match;
    if (match) matched = !p.exclusion;
  }
  info.matched = matched;
  if (out) *out = std::move(info);
  return matched;
}

}  // namespace builder::filespec
