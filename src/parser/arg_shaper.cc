// Instruction line shaping: keyword split, flag extraction and the per-instruction argument
// rules of BuildKit's parser (the dump format depends on every detail here).
#include "parser/arg_shaper.h"

#include "base/go_compat.h"
#include "parser/go_quote.h"
#include "parser/json_array.h"

namespace builder::parser {

namespace {

// BuildKit's reWhitespace: [\t\v\f\r ].
bool IsSplitSpace(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }
bool IsAsciiSpace(char c) { return c == '\n' || IsSplitSpace(c); }

// A view's offset inside the view it was cut from.
std::size_t OffsetIn(std::string_view outer, std::string_view inner) {
  return static_cast<std::size_t>(inner.data() - outer.data());
}

// How the arguments of one instruction are shaped; see the conformance README's table.
enum class Shape {
  kMaybeJson,
  kMaybeJsonList,
  kWords,
  kNameVal,
  kWhitespace,
  kHealth,
  kString,
  kSub,
  kIgnore
};

Shape ShapeOf(std::string_view keyword) {
  struct Entry {
    std::string_view keyword;
    Shape shape;
  };
  static constexpr Entry kTable[] = {
      {"add", Shape::kMaybeJsonList},    {"arg", Shape::kWords},
      {"cmd", Shape::kMaybeJson},        {"copy", Shape::kMaybeJsonList},
      {"entrypoint", Shape::kMaybeJson}, {"env", Shape::kNameVal},
      {"expose", Shape::kWhitespace},    {"from", Shape::kWhitespace},
      {"healthcheck", Shape::kHealth},   {"label", Shape::kNameVal},
      {"maintainer", Shape::kString},    {"onbuild", Shape::kSub},
      {"run", Shape::kMaybeJson},        {"shell", Shape::kMaybeJson},
      {"stopsignal", Shape::kString},    {"user", Shape::kString},
      {"volume", Shape::kMaybeJsonList}, {"workdir", Shape::kString},
  };
  for (const auto& e : kTable) {
    if (e.keyword == keyword) return e.shape;
  }
  return Shape::kIgnore;
}

void AppendRuneBytes(std::string& out, std::string_view s, std::size_t pos,
                     const gocompat::DecodedRune& r) {
  if (r.value == gocompat::kRuneError && r.size == 1) {
    gocompat::AppendRune(out, gocompat::kRuneError);
  } else {
    out.append(s.substr(pos, r.size));
  }
}

// parseStringsWhitespaceDelimited: split on runs of [\t\v\f\r ].
void SplitWhitespace(std::string_view rest, std::vector<std::string>* args) {
  std::size_t i = 0;
  while (i < rest.size()) {
    std::size_t j = i;
    while (j < rest.size() && !IsSplitSpace(rest[j])) ++j;
    args->emplace_back(rest.substr(i, j - i));
    while (j < rest.size() && IsSplitSpace(rest[j])) ++j;
    i = j;
  }
}

// parseMaybeJSON / parseMaybeJSONToList.
std::expected<void, ShapeError> MaybeJson(std::string_view rest, std::size_t rest_offset,
                                          bool to_list, ShapedLine* out) {
  if (rest.empty()) return {};
  JsonArray json = ParseJsonStringArray(rest);
  if (json.kind == JsonArrayKind::kNonString) {
    return std::unexpected(
        ShapeError{rest_offset + json.bad_offset,
                   "when using JSON array syntax, arrays must be comprised of strings only"});
  }
  if (json.kind == JsonArrayKind::kStrings) {
    out->json_form = true;
    for (auto& item : json.items) out->args.push_back(std::move(item));
    return {};
  }
  if (to_list) {
    SplitWhitespace(rest, &out->args);
  } else {
    out->args.emplace_back(rest);
  }
  return {};
}

// parseNameVal: ENV and LABEL.
std::expected<void, ShapeError> NameVal(std::string_view rest, std::size_t rest_offset,
                                        std::string_view upper_keyword, char escape,
                                        ShapedLine* out) {
  std::vector<LineWord> words = SplitQuotedWords(rest, escape);
  if (words.empty()) return {};
  if (words[0].text.find('=') == std::string::npos) {
    // Legacy `ENV key value...`: the key, then the rest of the line verbatim.
    std::size_t k = 0;
    while (k < rest.size() && !IsSplitSpace(rest[k])) ++k;
    if (k == rest.size()) {
      return std::unexpected(
          ShapeError{rest_offset, std::string(upper_keyword) + " must have two arguments"});
    }
    std::size_t v = k;
    while (v < rest.size() && IsSplitSpace(rest[v])) ++v;
    out->args.emplace_back(rest.substr(0, k));
    out->args.emplace_back(rest.substr(v));
    out->args.emplace_back();
    return {};
  }
  out->args.reserve(words.size() * 3);
  for (auto& word : words) {
    const std::size_t eq = word.text.find('=');
    if (eq == std::string::npos) {
      return std::unexpected(ShapeError{rest_offset + word.offset,
                                        "Syntax error - can't find = in " + GoQuote(word.text) +
                                            ". Must be of the form: name=value"});
    }
    out->args.push_back(word.text.substr(0, eq));
    out->args.push_back(word.text.substr(eq + 1));
    out->args.emplace_back("=");
  }
  return {};
}

// parseHealthConfig: the type word, then the rest as parseMaybeJSON. BuildKit tests single
// bytes with unicode.IsSpace here, so the 0x85/0xA0 bytes inside UTF-8 characters split too;
// only ASCII white space does here.
std::expected<void, ShapeError> Health(std::string_view rest, std::size_t rest_offset,
                                       ShapedLine* out) {
  std::size_t sep = 0;
  while (sep < rest.size() && !IsAsciiSpace(rest[sep])) ++sep;
  if (sep == 0) return {};
  std::size_t next = sep;
  while (next < rest.size() && IsAsciiSpace(rest[next])) ++next;
  out->args.emplace_back(rest.substr(0, sep));
  return MaybeJson(rest.substr(next), rest_offset + next, false, out);
}

}  // namespace

std::vector<LineWord> SplitQuotedWords(std::string_view rest, char escape) {
  enum Phase { kSpaces, kWord, kQuote };
  std::vector<LineWord> words;
  Phase phase = kSpaces;
  char32_t quote = 0;
  bool blank_ok = false;
  std::string word;
  std::size_t word_start = 0;
  const std::size_t n = rest.size();
  std::size_t pos = 0;
  gocompat::DecodedRune r;
  auto flush = [&] {
    if (blank_ok || !word.empty()) words.push_back({std::move(word), word_start});
    word.clear();
  };
  while (true) {
    if (pos != n) r = gocompat::DecodeRune(rest, pos);
    if (phase == kSpaces) {
      if (pos == n) break;
      if (gocompat::IsSpace(r.value)) {
        pos += r.size;
        continue;
      }
      phase = kWord;
      word_start = pos;
    }
    if (pos == n) {
      flush();
      break;
    }
    if (phase == kWord) {
      if (gocompat::IsSpace(r.value)) {
        phase = kSpaces;
        flush();
        blank_ok = false;
        pos += r.size;
        continue;
      }
      if (r.value == '\'' || r.value == '"') {
        quote = r.value;
        blank_ok = true;
        phase = kQuote;
      }
      if (r.value == static_cast<char32_t>(escape)) {
        if (pos + r.size == n) {  // an escape character at the very end is dropped
          pos += r.size;
          continue;
        }
        AppendRuneBytes(word, rest, pos, r);
        pos += r.size;
        r = gocompat::DecodeRune(rest, pos);
      }
      AppendRuneBytes(word, rest, pos, r);
      pos += r.size;
      continue;
    }
    // kQuote
    if (r.value == quote) phase = kWord;
    if (r.value == static_cast<char32_t>(escape) && quote != '\'') {
      if (pos + r.size == n) {
        phase = kWord;
        pos += r.size;
        continue;
      }
      AppendRuneBytes(word, rest, pos, r);
      pos += r.size;
      r = gocompat::DecodeRune(rest, pos);
    }
    AppendRuneBytes(word, rest, pos, r);
    pos += r.size;
  }
  return words;
}

std::size_t ExtractFlags(std::string_view line, std::vector<std::string>* flags,
                         std::vector<std::size_t>* offsets) {
  enum Phase { kSpaces, kWord, kQuote };
  Phase phase = kSpaces;
  std::string word;
  std::size_t word_start = 0;
  char quote = 0;
  bool blank_ok = false;
  const std::size_t n = line.size();
  for (std::size_t pos = 0; pos <= n; ++pos) {
    char ch = pos < n ? line[pos] : '\0';
    if (phase == kSpaces) {
      if (pos == n) break;
      if (IsAsciiSpace(ch)) continue;
      if (ch != '-' || pos + 1 == n || line[pos + 1] != '-') return pos;
      phase = kWord;
      word_start = pos;
    }
    if (pos == n) {
      if (word != "--" && (blank_ok || !word.empty())) {
        flags->push_back(std::move(word));
        offsets->push_back(word_start);
      }
      break;
    }
    if (phase == kWord) {
      if (IsAsciiSpace(ch)) {
        phase = kSpaces;
        if (word == "--") return pos;
        if (blank_ok || !word.empty()) {
          flags->push_back(std::move(word));
          offsets->push_back(word_start);
        }
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = kQuote;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == n) continue;
        ch = line[++pos];
      }
      word += ch;
      continue;
    }
    // kQuote
    if (ch == quote) {
      phase = kWord;
      continue;
    }
    if (ch == '\\') {
      if (pos + 1 == n) {
        phase = kWord;
        continue;
      }
      ch = line[++pos];
    }
    word += ch;
  }
  return n;
}

std::expected<ShapedLine, ShapeError> ShapeLine(std::string_view line, char escape) {
  ShapedLine out;
  const std::string_view trimmed = gocompat::TrimSpace(line);
  const std::size_t base = trimmed.empty() ? line.size() : OffsetIn(line, trimmed);
  out.keyword_offset = base;
  std::size_t k = 0;
  while (k < trimmed.size() && !IsSplitSpace(trimmed[k])) ++k;
  out.keyword.assign(trimmed.substr(0, k));
  // ASCII only: Go lowers Unicode too, which matters only for unknown keywords.
  for (char& c : out.keyword) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string_view rest;
  std::size_t rest_offset = base + trimmed.size();
  if (k < trimmed.size()) {
    std::size_t a = k;
    while (a < trimmed.size() && IsSplitSpace(trimmed[a])) ++a;
    const std::string_view after = trimmed.substr(a);
    const std::size_t remaining = ExtractFlags(after, &out.flags, &out.flag_offsets);
    for (auto& off : out.flag_offsets) off += base + a;
    rest = gocompat::TrimSpace(after.substr(remaining));
    rest_offset = rest.empty() ? base + a + remaining : OffsetIn(line, rest);
  }
  out.args_offset = rest_offset;

  const Shape shape = ShapeOf(out.keyword);
  out.known = shape != Shape::kIgnore;
  std::expected<void, ShapeError> shaped;
  switch (shape) {
    case Shape::kMaybeJson:
      shaped = MaybeJson(rest, rest_offset, false, &out);
      break;
    case Shape::kMaybeJsonList:
      shaped = MaybeJson(rest, rest_offset, true, &out);
      break;
    case Shape::kWords:
      for (auto& w : SplitQuotedWords(rest, escape)) out.args.push_back(std::move(w.text));
      break;
    case Shape::kNameVal:
      shaped = NameVal(rest, rest_offset, out.keyword == "env" ? "ENV" : "LABEL", escape, &out);
      break;
    case Shape::kWhitespace:
      SplitWhitespace(rest, &out.args);
      break;
    case Shape::kHealth:
      shaped = Health(rest, rest_offset, &out);
      break;
    case Shape::kString:
      if (!rest.empty()) out.args.emplace_back(rest);
      break;
    case Shape::kSub:
      if (!rest.empty()) {
        out.has_sub = true;
        out.rest = rest;
        out.rest_offset = rest_offset;
      }
      break;
    case Shape::kIgnore:
      out.args.emplace_back();  // BuildKit keeps one empty argument for unknown instructions
      break;
  }
  if (!shaped) return std::unexpected(std::move(shaped).error());
  return out;
}

}  // namespace builder::parser
