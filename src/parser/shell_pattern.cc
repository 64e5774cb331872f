// Shell wildcard matching for BuildKit's ${V#p}-family operators, as a linear NFA walk.
#include "parser/shell_pattern.h"

#include <algorithm>
#include <utility>

#include "parser/shell_unicode.h"

namespace builder::parser {
namespace {

// Text as code points plus the byte offset where each one starts (offsets.back() == size), so
// matches found on code points map back to byte ranges without re-encoding the value.
struct DecodedText {
  std::vector<char32_t> cps;
  std::vector<std::size_t> offsets;
};

DecodedText Decode(std::string_view text) {
  DecodedText out;
  out.cps.reserve(text.size());
  out.offsets.reserve(text.size() + 1);
  for (std::size_t pos = 0; pos < text.size();) {
    Utf8Rune r = DecodeUtf8(text, pos);
    out.cps.push_back(r.cp);
    out.offsets.push_back(pos);
    pos += r.len;
  }
  out.offsets.push_back(text.size());
  return out;
}

using Element = ShellPattern::Element;
using Elements = std::vector<Element>;

// Go's regexp `.` (what BuildKit turns `*` and `?` into) never matches a newline.
bool Wild(char32_t c) { return c != '\n'; }

// One NFA step: state j means "elements [0, j) matched". kAnyRun loops on itself.
template <class Set, class Mark>
void Step(const Elements& el, const Set& cur, char32_t c, Mark mark) {
  for (std::size_t j = 0; j < el.size(); ++j) {
    if (!cur.Has(j)) continue;
    switch (el[j].kind) {
      case Element::kLiteral:
        if (c == el[j].cp) mark(j, j + 1);
        break;
      case Element::kAnyChar:
        if (Wild(c)) mark(j, j + 1);
        break;
      case Element::kAnyRun:
        if (Wild(c)) mark(j, j);
        break;
    }
  }
}

struct BoolSet {
  std::vector<char> on;
  bool Has(std::size_t j) const { return on[j] != 0; }
};

// Leftmost start reaching each state; -1 when no thread is there.
struct StartSet {
  std::vector<std::ptrdiff_t> start;
  bool Has(std::size_t j) const { return start[j] >= 0; }
  void Offer(std::size_t j, std::ptrdiff_t s) {
    if (start[j] < 0 || s < start[j]) start[j] = s;
  }
};

// Shortest or longest match of `el` anchored at cps[0]; the length in code points.
std::optional<std::size_t> AnchoredMatch(const Elements& el, const std::vector<char32_t>& cps,
                                         bool longest) {
  const std::size_t p = el.size();
  BoolSet cur{std::vector<char>(p + 1, 0)}, next{std::vector<char>(p + 1, 0)};
  auto close = [&](BoolSet& s) {
    for (std::size_t j = 0; j < p; ++j)
      if (s.on[j] && el[j].kind == Element::kAnyRun) s.on[j + 1] = 1;
  };
  cur.on[0] = 1;
  close(cur);
  std::optional<std::size_t> best;
  if (cur.on[p]) {
    best = 0;
    if (!longest) return best;
  }
  for (std::size_t i = 0; i < cps.size(); ++i) {
    std::fill(next.on.begin(), next.on.end(), 0);
    Step(el, cur, cps[i], [&](std::size_t, std::size_t to) { next.on[to] = 1; });
    close(next);
    if (std::find(next.on.begin(), next.on.end(), 1) == next.on.end()) break;
    if (next.on[p]) {
      best = i + 1;
      if (!longest) return best;
    }
    std::swap(cur, next);
  }
  return best;
}

// Leftmost match starting at or after code point `from`, longest at that start, in code points.
std::optional<std::pair<std::size_t, std::size_t>> Search(const Elements& el,
                                                          const std::vector<char32_t>& cps,
                                                          std::size_t from) {
  const std::size_t p = el.size();
  StartSet cur{std::vector<std::ptrdiff_t>(p + 1, -1)},
      next{std::vector<std::ptrdiff_t>(p + 1, -1)};
  auto close = [&](StartSet& s) {
    for (std::size_t j = 0; j < p; ++j)
      if (s.start[j] >= 0 && el[j].kind == Element::kAnyRun) s.Offer(j + 1, s.start[j]);
  };
  std::ptrdiff_t best_start = -1;
  std::size_t best_end = 0;
  for (std::size_t i = from;; ++i) {
    if (best_start < 0) cur.Offer(0, static_cast<std::ptrdiff_t>(i));  // a new attempt starts here
    close(cur);
    if (cur.start[p] >= 0) {
      const std::ptrdiff_t s = cur.start[p];
      if (best_start < 0 || s <= best_start) {
        best_start = s;
        best_end = i;  // later accepts from the same start win: the stars are greedy
      }
    }
    if (best_start >= 0) {
      // Threads that started right of the best match can never be leftmost.
      for (auto& s : cur.start)
        if (s > best_start) s = -1;
    }
    if (i >= cps.size()) break;
    std::fill(next.start.begin(), next.start.end(), -1);
    Step(el, cur, cps[i], [&](std::size_t at, std::size_t to) { next.Offer(to, cur.start[at]); });
    std::swap(cur, next);
    if (best_start >= 0 &&
        std::all_of(cur.start.begin(), cur.start.end(), [](std::ptrdiff_t s) { return s < 0; }))
      break;
  }
  if (best_start < 0) return std::nullopt;
  return std::make_pair(static_cast<std::size_t>(best_start), best_end);
}

Error InvalidPattern(std::string_view pattern, std::string_view why) {
  return Error(ErrorCode::kParse, "invalid pattern (" + std::string(pattern) +
                                      ") in substitution: " + std::string(why));
}

bool IsTemplateNameChar(char32_t c) { return IsUnicodeLetter(c) || IsUnicodeDigit(c) || c == '_'; }

// Go's Regexp.Expand for a regexp whose only group is 0 (BuildKit escapes every paren).
void ExpandTemplate(std::string& out, std::string_view tmpl, std::string_view match) {
  while (!tmpl.empty()) {
    const std::size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out.push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view rest = tmpl;
    const bool brace = !rest.empty() && rest[0] == '{';
    if (brace) rest.remove_prefix(1);
    std::size_t n = 0;
    while (n < rest.size()) {
      Utf8Rune r = DecodeUtf8(rest, n);
      if (!IsTemplateNameChar(r.cp)) break;
      n += r.len;
    }
    if (n == 0 || (brace && (n >= rest.size() || rest[n] != '}'))) {
      out.push_back('$');  // malformed reference: the `$` is literal text
      continue;
    }
    const std::string_view name = rest.substr(0, n);
    tmpl = rest.substr(brace ? n + 1 : n);
    if (name == "0") out.append(match);  // "00" has a leading zero, so it is a (missing) name
  }
  out.append(tmpl);
}

// Parses `text` into elements; errors name `shown`, the pattern as the user wrote it.
Result<Elements> ParseElements(std::string_view text, std::string_view shown) {
  std::vector<char32_t> cps = Decode(text).cps;
  std::size_t i = 0;
  if (!cps.empty() && cps[0] == 0xFEFF) i = 1;  // Go's text/scanner drops a leading BOM
  Elements out;
  for (; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    if (c == '*') {
      if (out.empty() || out.back().kind != Element::kAnyRun) out.push_back({Element::kAnyRun, 0});
    } else if (c == '?') {
      out.push_back({Element::kAnyChar, 0});
    } else if (c == '\\') {
      if (i + 1 < cps.size() && (cps[i + 1] == '}' || cps[i + 1] == '/')) continue;
      if (i + 1 >= cps.size())
        return std::unexpected(InvalidPattern(shown, "invalid escape '\\' at end of pattern"));
      const char32_t e = cps[++i];
      if (e != '*' && e != '?' && e != '\\') {
        std::string why = "invalid escape '\\";
        AppendUtf8(why, e);
        why += "'";
        return std::unexpected(InvalidPattern(shown, why));
      }
      out.push_back({Element::kLiteral, e});
    } else {
      out.push_back({Element::kLiteral, c});
    }
  }
  return out;
}

}  // namespace

Result<ShellPattern> ShellPattern::Compile(std::string_view pattern) {
  auto elements = ParseElements(pattern, pattern);
  if (!elements) return std::unexpected(std::move(elements).error());
  return ShellPattern(std::move(*elements));
}

std::optional<std::size_t> ShellPattern::MatchPrefix(std::string_view text, bool longest) const {
  DecodedText t = Decode(text);
  auto n = AnchoredMatch(elements_, t.cps, longest);
  if (!n) return std::nullopt;
  return t.offsets[*n];
}

std::optional<std::pair<std::size_t, std::size_t>> ShellPattern::Find(std::string_view text,
                                                                      std::size_t from) const {
  DecodedText t = Decode(text);
  auto it = std::lower_bound(t.offsets.begin(), t.offsets.end(), from);
  if (it == t.offsets.end()) return std::nullopt;
  auto m = Search(elements_, t.cps, static_cast<std::size_t>(it - t.offsets.begin()));
  if (!m) return std::nullopt;
  return std::make_pair(t.offsets[m->first], t.offsets[m->second]);
}

std::string ReversePattern(std::string_view pattern) {
  std::vector<char32_t> cps = Decode(pattern).cps;
  std::vector<char32_t> out(cps.size());
  const std::size_t n = cps.size();
  for (std::size_t i = 0; i < n;) {
    const std::size_t at = n - 1 - i;
    if (cps[i] == '\\' && i + 1 < n) {
      out[at - 1] = '\\';
      out[at] = cps[i + 1];
      i += 2;
    } else {
      out[at] = cps[i];
      ++i;
    }
  }
  std::string s;
  for (char32_t c : out) AppendUtf8(s, c);
  return s;
}

Result<std::string> TrimPatternPrefix(std::string_view value, std::string_view pattern,
                                      bool longest) {
  auto compiled = ShellPattern::Compile(pattern);
  if (!compiled) return std::unexpected(std::move(compiled).error());
  auto n = compiled->MatchPrefix(value, longest);
  return std::string(n ? value.substr(*n) : value);
}

Result<std::string> TrimPatternSuffix(std::string_view value, std::string_view pattern,
                                      bool longest) {
  // A shortest rightmost match is a shortest leftmost match of the reversed pattern on the
  // reversed text; reversing keeps the escape pairs, and invalid reversed patterns fail as in
  // BuildKit.
  auto elements = ParseElements(ReversePattern(pattern), pattern);
  if (!elements) return std::unexpected(std::move(elements).error());
  DecodedText t = Decode(value);
  std::vector<char32_t> reversed(t.cps.rbegin(), t.cps.rend());
  auto n = AnchoredMatch(*elements, reversed, longest);
  if (!n) return std::string(value);
  return std::string(value.substr(0, t.offsets[t.cps.size() - *n]));
}

Result<std::string> ReplacePatternFirst(std::string_view value, std::string_view pattern,
                                        std::string_view replacement) {
  auto compiled = ShellPattern::Compile(pattern);
  if (!compiled) return std::unexpected(std::move(compiled).error());
  auto m = compiled->Find(value);
  if (!m) return std::string(value);
  std::string out(value.substr(0, m->first));
  out.append(replacement);
  out.append(value.substr(m->second));
  return out;
}

// ${V///$V$V} inserts the replacement at every character, and nesting multiplies that; a cap keeps
// a hostile Dockerfile from exhausting memory (BuildKit has none; no real file comes near it).
constexpr std::size_t kMaxReplaceAllBytes = 1 << 20;

Result<std::string> ReplacePatternAll(std::string_view value, std::string_view pattern,
                                      std::string_view replacement) {
  auto compiled = ShellPattern::Compile(pattern);
  if (!compiled) return std::unexpected(std::move(compiled).error());
  const DecodedText t = Decode(value);
  const std::size_t n = t.cps.size();
  std::string out;
  // Go's Regexp.ReplaceAllString loop, in code points.
  std::size_t last_end = 0, search = 0;
  while (search <= n) {
    auto m = Search(compiled->elements(), t.cps, search);
    if (!m) break;
    out.append(value.substr(t.offsets[last_end], t.offsets[m->first] - t.offsets[last_end]));
    // An empty match right after a match is not replaced again.
    if (m->second > last_end || m->first == 0) {
      ExpandTemplate(out, replacement,
                     value.substr(t.offsets[m->first], t.offsets[m->second] - t.offsets[m->first]));
    }
    if (out.size() > kMaxReplaceAllBytes)
      return Fail(ErrorCode::kInvalidArgument, "${//} replacement result exceeds 1 MiB");
    last_end = m->second;
    const std::size_t width = search < n ? 1 : 0;
    if (search + width > m->second) {
      search += width;
    } else if (search + 1 > m->second) {
      ++search;
    } else {
      search = m->second;
    }
  }
  out.append(value.substr(t.offsets[last_end]));
  return out;
}

}  // namespace builder::parser
