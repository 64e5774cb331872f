// Parses Go regexp syntax (the subset a translated glob can contain) and runs it as an NFA.
#include "filespec/glob_regexp.h"

#include <algorithm>
#include <string>

#include "base/go_compat.h"

namespace builder::filespec {

namespace {

using Ranges = GlobRegexp::Ranges;
using Assertion = GlobRegexp::Assertion;
constexpr char32_t kMaxRune = 0x10FFFF;

struct Node {
  enum Kind { kLiteral, kClass, kAnyNotNL, kAssert, kConcat, kStar, kPlus, kQuest };
  Kind kind = kConcat;
  char32_t rune = 0;
  Assertion assertion{};
  Ranges ranges;
  std::vector<Node> subs;
};

Ranges Normalize(Ranges r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (const auto& [lo, hi] : r) {
    if (!out.empty() && lo <= out.back().second + 1) {
      out.back().second = std::max(out.back().second, hi);
    } else {
      out.emplace_back(lo, hi);
    }
  }
  return out;
}

Ranges Complement(const Ranges& r) {
  Ranges sorted = Normalize(r);
  Ranges out;
  char32_t next = 0;
  for (const auto& [lo, hi] : sorted) {
    if (lo > next) out.emplace_back(next, lo - 1);
    next = hi + 1;
  }
  if (next <= kMaxRune) out.emplace_back(next, kMaxRune);
  return out;
}

void Append(Ranges& into, const Ranges& more) { into.insert(into.end(), more.begin(), more.end()); }

// Perl classes \d \s \w and their negations, ASCII-only as in Go.
bool PerlClass(char c, Ranges* out) {
  Ranges r;
  switch (c) {
    case 'd': case 'D': r = {{'0', '9'}}; break;
    case 's': case 'S': r = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}}; break;
    case 'w': case 'W': r = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}; break;
    default: return false;
  }
  *out = (c >= 'A' && c <= 'Z') ? Complement(r) : r;
  return true;
}

// POSIX classes as Go knows them, ASCII-only; name includes the "[:" and ":]".
bool PosixClass(std::string_view name, Ranges* out) {
  bool negate = name.size() > 4 && name[2] == '^';
  std::string_view base = name.substr(negate ? 3 : 2);
  base.remove_suffix(2);
  Ranges r;
  if (base == "alnum") r = {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}};
  else if (base == "alpha") r = {{'A', 'Z'}, {'a', 'z'}};
  else if (base == "ascii") r = {{0, 0x7F}};
  else if (base == "blank") r = {{'\t', '\t'}, {' ', ' '}};
  else if (base == "cntrl") r = {{0, 0x1F}, {0x7F, 0x7F}};
  else if (base == "digit") r = {{'0', '9'}};
  else if (base == "graph") r = {{'!', '~'}};
  else if (base == "lower") r = {{'a', 'z'}};
  else if (base == "print") r = {{' ', '~'}};
  else if (base == "punct") r = {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}};
  else if (base == "space") r = {{'\t', '\r'}, {' ', ' '}};
  else if (base == "upper") r = {{'A', 'Z'}};
  else if (base == "word") r = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
  else if (base == "xdigit") r = {{'0', '9'}, {'A', 'F'}, {'a', 'f'}};
  else return false;
  *out = negate ? Complement(r) : r;
  return true;
}

int Unhex(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

bool IsAsciiAlnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Recursive descent over Go's grammar; each error mirrors a regexp.Compile failure.
class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<Node> Parse() {
    auto root = ParseConcat(0);
    if (root && pos_ != s_.size()) return Bad("unexpected )");
    return root;
  }

 private:
  std::unexpected<Error> Bad(std::string what) const {
    return Fail(ErrorCode::kParse, "regexp: " + what + " in `" + std::string(s_) + "`");
  }

  char32_t NextRune() {
    gocompat::DecodedRune r = gocompat::DecodeRune(s_, pos_);
    pos_ += r.size;
    return r.value;
  }

  Result<Node> ParseConcat(int depth) {
    Node concat;
    bool last_repeat = false;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      bool repeat = false;
      switch (c) {
        case '(': {
          if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '?') return Bad("unsupported group flags");
          ++pos_;
          auto group = ParseConcat(depth + 1);
          if (!group) return group;
          if (pos_ >= s_.size() || s_[pos_] != ')') return Bad("missing closing )");
          ++pos_;
          concat.subs.push_back(std::move(*group));
          break;
        }
        case ')':
          if (depth == 0) return Bad("unexpected )");
          return concat;
        case '|':
          return Bad("unsupported alternation");
        case '*': case '+': case '?': {
          ++pos_;
          // A trailing '?' makes it non-greedy, which cannot change whether a match exists.
          if (pos_ < s_.size() && s_[pos_] == '?') ++pos_;
          if (last_repeat) return Bad("invalid nested repetition operator");
          if (concat.subs.empty()) return Bad("missing argument to repetition operator");
          Node wrap;
          wrap.kind = c == '*' ? Node::kStar : c == '+' ? Node::kPlus : Node::kQuest;
          wrap.subs.push_back(std::move(concat.subs.back()));
          concat.subs.back() = std::move(wrap);
          repeat = true;
          break;
        }
        case '{':
          if (LooksLikeCount()) return Bad("unsupported counted repetition");
          ++pos_;
          concat.subs.push_back(Literal('{'));
          break;
        case '^': ++pos_; concat.subs.push_back(Assert(Assertion::kBeginText)); break;
        case '$': ++pos_; concat.subs.push_back(Assert(Assertion::kEndText)); break;
        case '.': {
          ++pos_;
          Node any;
          any.kind = Node::kAnyNotNL;
          concat.subs.push_back(std::move(any));
          break;
        }
        case '[': {
          auto cls = ParseClass();
          if (!cls) return cls;
          concat.subs.push_back(std::move(*cls));
          break;
        }
        case '\\':
          if (auto done = ParseBackslash(&concat); !done) return Fail(std::move(done.error()));
          break;
        default: concat.subs.push_back(Literal(NextRune())); break;
      }
      last_repeat = repeat;
    }
    return concat;
  }

  // Go treats "{n}", "{n,}" and "{n,m}" as counts and any other '{' as a literal.
  bool LooksLikeCount() const {
    std::size_t i = pos_ + 1;
    auto digits = [&] {
      std::size_t start = i;
      while (i < s_.size() && s_[i] >= '0' && s_[i] <= '9') ++i;
      return i > start;
    };
    if (!digits()) return false;
    if (i < s_.size() && s_[i] == ',') {
      ++i;
      digits();
    }
    return i < s_.size() && s_[i] == '}';
  }

  static Node Literal(char32_t r) {
    Node n;
    n.kind = Node::kLiteral;
    n.rune = r;
    return n;
  }
  static Node Assert(Assertion a) {
    Node n;
    n.kind = Node::kAssert;
    n.assertion = a;
    return n;
  }
  static Node Class(Ranges r) {
    Node n;
    n.kind = Node::kClass;
    n.ranges = Normalize(std::move(r));
    return n;
  }

  Result<void> ParseBackslash(Node* concat) {
    if (pos_ + 1 < s_.size()) {
      const char e = s_[pos_ + 1];
      Ranges perl;
      switch (e) {
        case 'A': pos_ += 2; concat->subs.push_back(Assert(Assertion::kBeginText)); return {};
        case 'z': pos_ += 2; concat->subs.push_back(Assert(Assertion::kEndText)); return {};
        case 'b': pos_ += 2; concat->subs.push_back(Assert(Assertion::kWordBoundary)); return {};
        case 'B': pos_ += 2; concat->subs.push_back(Assert(Assertion::kNoWordBoundary)); return {};
        case 'C': return Bad("invalid escape sequence \\C");
        case 'p': case 'P': return Bad("unsupported Unicode class");
        case 'Q': {
          // \Q...\E quotes everything up to \E (or the end) literally.
          pos_ += 2;
          std::size_t end = s_.find("\\E", pos_);
          std::size_t stop = end == std::string_view::npos ? s_.size() : end;
          while (pos_ < stop) concat->subs.push_back(Literal(NextRune()));
          if (end != std::string_view::npos) pos_ = end + 2;
          return {};
        }
        default:
          if (PerlClass(e, &perl)) {
            pos_ += 2;
            concat->subs.push_back(Class(std::move(perl)));
            return {};
          }
      }
    }
    auto c = ParseEscape();
    if (!c) return Fail(std::move(c.error()));
    concat->subs.push_back(Literal(*c));
    return {};
  }

  // pos_ is at a backslash outside the special forms above.
  Result<char32_t> ParseEscape() {
    const std::size_t start = pos_;
    ++pos_;
    if (pos_ >= s_.size()) return Bad("trailing backslash at end of expression");
    char32_t c = NextRune();
    if (c < 0x80 && !IsAsciiAlnum(c)) return c;  // escaped punctuation is itself
    auto octal = [&](std::size_t i) { return i < s_.size() && s_[i] >= '0' && s_[i] <= '7'; };
    switch (c) {
      case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        if (!octal(pos_)) break;  // a lone digit would be a backreference, which RE2 lacks
        [[fallthrough]];
      case '0': {
        char32_t r = c - '0';
        for (int i = 1; i < 3 && octal(pos_); ++i) r = r * 8 + static_cast<char32_t>(s_[pos_++] - '0');
        return r;
      }
      case 'x': {
        if (pos_ >= s_.size()) break;
        char32_t d = NextRune();
        if (d == '{') {
          char32_t r = 0;
          int n = 0;
          while (true) {
            if (pos_ >= s_.size()) return Bad("invalid escape sequence");
            char32_t h = NextRune();
            if (h == '}') break;
            if (Unhex(h) < 0) return Bad("invalid escape sequence");
            r = r * 16 + static_cast<char32_t>(Unhex(h));
            if (r > kMaxRune) return Bad("invalid escape sequence");
            ++n;
          }
          if (n == 0) break;
          return r;
        }
        char32_t d2 = pos_ < s_.size() ? NextRune() : gocompat::kRuneError;
        if (Unhex(d) < 0 || Unhex(d2) < 0) break;
        return static_cast<char32_t>(Unhex(d) * 16 + Unhex(d2));
      }
      case 'a': return 7;
      case 'f': return 12;
      case 'n': return 10;
      case 'r': return 13;
      case 't': return 9;
      case 'v': return 11;
      default: break;
    }
    return Bad("invalid escape sequence " + std::string(s_.substr(start, pos_ - start)));
  }

  Result<char32_t> ParseClassChar() {
    if (pos_ >= s_.size()) return Bad("missing closing ]");
    if (s_[pos_] == '\\') return ParseEscape();
    return NextRune();
  }

  Result<Node> ParseClass() {
    ++pos_;  // '['
    bool negated = false;
    if (pos_ < s_.size() && s_[pos_] == '^') {
      negated = true;
      ++pos_;
    }
    Ranges ranges;
    bool first = true;  // a ']' right after '[' or '[^' is a literal
    while (pos_ >= s_.size() || s_[pos_] != ']' || first) {
      if (pos_ >= s_.size()) return Bad("missing closing ]");
      first = false;
      std::string_view t = s_.substr(pos_);
      if (t.size() > 2 && t[0] == '[' && t[1] == ':') {
        std::size_t close = t.find(":]", 2);
        if (close != std::string_view::npos) {
          Ranges named;
          if (!PosixClass(t.substr(0, close + 2), &named)) return Bad("invalid character class range");
          Append(ranges, named);
          pos_ += close + 2;
          continue;
        }
      }
      if (t.size() >= 2 && t[0] == '\\') {
        if (t[1] == 'p' || t[1] == 'P') return Bad("unsupported Unicode class");
        Ranges perl;
        if (PerlClass(t[1], &perl)) {
          Append(ranges, perl);
          pos_ += 2;
          continue;
        }
      }
      auto lo = ParseClassChar();
      if (!lo) return Fail(std::move(lo.error()));
      auto hi = lo;
      if (s_.size() - pos_ >= 2 && s_[pos_] == '-' && s_[pos_ + 1] != ']') {
        ++pos_;
        hi = ParseClassChar();
        if (!hi) return Fail(std::move(hi.error()));
        if (*hi < *lo) return Bad("invalid character class range");
      }
      ranges.emplace_back(*lo, *hi);
    }
    ++pos_;  // ']'
    return Class(negated ? Complement(ranges) : ranges);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

bool IsWordByte(std::string_view text, std::size_t i) {
  if (i >= text.size()) return false;
  const char c = text[i];
  return IsAsciiAlnum(static_cast<unsigned char>(c)) || c == '_';
}

bool Holds(Assertion a, std::string_view text, std::size_t pos) {
  switch (a) {
    case Assertion::kBeginText: return pos == 0;
    case Assertion::kEndText: return pos == text.size();
    case Assertion::kWordBoundary:
      return (pos > 0 && IsWordByte(text, pos - 1)) != IsWordByte(text, pos);
    case Assertion::kNoWordBoundary:
      return (pos > 0 && IsWordByte(text, pos - 1)) == IsWordByte(text, pos);
  }
  return false;
}

bool InRanges(const Ranges& ranges, char32_t r) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), r,
                             [](char32_t v, const auto& range) { return v < range.first; });
  return it != ranges.begin() && r <= std::prev(it)->second;
}

// A set of program counters with O(1) insert, lookup and clear, kept in insertion order.
class ThreadList {
 public:
  explicit ThreadList(std::size_t n) : stamp_(n, 0) { dense_.reserve(n); }
  bool Insert(std::uint32_t pc) {
    if (stamp_[pc] == generation_) return false;
    stamp_[pc] = generation_;
    dense_.push_back(pc);
    return true;
  }
  void Clear() {
    dense_.clear();
    ++generation_;
  }
  const std::vector<std::uint32_t>& items() const { return dense_; }

 private:
  std::vector<std::uint32_t> stamp_;
  std::vector<std::uint32_t> dense_;
  std::uint32_t generation_ = 1;
};

}  // namespace

// Turns the parse tree into Thompson-NFA instructions.
class GlobRegexpCompiler {
 public:
  explicit GlobRegexpCompiler(GlobRegexp* re) : re_(re) {}

  void Emit(const Node& n) {
    auto& prog = re_->prog_;
    using Op = GlobRegexp::Op;
    auto here = [&] { return static_cast<std::uint32_t>(prog.size()); };
    switch (n.kind) {
      case Node::kLiteral: prog.push_back({Op::kRune, n.rune, {}, 0, 0}); break;
      case Node::kClass:
        re_->classes_.push_back(n.ranges);
        prog.push_back({Op::kClass, 0, {}, static_cast<std::uint32_t>(re_->classes_.size() - 1), 0});
        break;
      case Node::kAnyNotNL: prog.push_back({Op::kAnyNotNL, 0, {}, 0, 0}); break;
      case Node::kAssert: prog.push_back({Op::kAssert, 0, n.assertion, 0, 0}); break;
      case Node::kConcat:
        for (const Node& sub : n.subs) Emit(sub);
        break;
      case Node::kStar: {
        std::uint32_t split = here();
        prog.push_back({Op::kSplit, 0, {}, split + 1, 0});
        Emit(n.subs[0]);
        prog.push_back({Op::kJmp, 0, {}, split, 0});
        prog[split].y = here();
        break;
      }
      case Node::kPlus: {
        std::uint32_t start = here();
        Emit(n.subs[0]);
        prog.push_back({Op::kSplit, 0, {}, start, here() + 1});
        break;
      }
      case Node::kQuest: {
        std::uint32_t split = here();
        prog.push_back({Op::kSplit, 0, {}, split + 1, 0});
        Emit(n.subs[0]);
        prog[split].y = here();
        break;
      }
    }
  }

 private:
  GlobRegexp* re_;
};

Result<GlobRegexp> GlobRegexp::Compile(std::string_view expr) {
  auto root = Parser(expr).Parse();
  if (!root) return Fail(std::move(root.error()));
  GlobRegexp re;
  GlobRegexpCompiler(&re).Emit(*root);
  re.prog_.push_back({Op::kMatch, 0, {}, 0, 0});
  return re;
}

bool GlobRegexp::Match(std::string_view text) const {
  const std::size_t n = prog_.size();
  // Every expression the translation emits starts with '^'; then only position 0 can start.
  const bool anchored = n > 0 && prog_[0].op == Op::kAssert && prog_[0].assertion == Assertion::kBeginText;
  ThreadList clist(n), nlist(n);
  std::vector<std::uint32_t> stack;

  // Follows jumps, splits and assertions from pc at pos; consuming states land in list.
  auto add = [&](ThreadList& list, std::uint32_t pc0, std::size_t pos) {
    stack.push_back(pc0);
    while (!stack.empty()) {
      std::uint32_t pc = stack.back();
      stack.pop_back();
      if (!list.Insert(pc)) continue;
      const Inst& in = prog_[pc];
      switch (in.op) {
        case Op::kJmp: stack.push_back(in.x); break;
        case Op::kSplit: stack.push_back(in.y); stack.push_back(in.x); break;
        case Op::kAssert:
          if (Holds(in.assertion, text, pos)) stack.push_back(pc + 1);
          break;
        default: break;
      }
    }
  };

  std::size_t pos = 0;
  while (true) {
    if (pos == 0 || !anchored) add(clist, 0, pos);
    if (clist.items().empty()) return false;
    const bool at_end = pos == text.size();
    gocompat::DecodedRune r;
    if (!at_end) r = gocompat::DecodeRune(text, pos);
    nlist.Clear();
    for (std::uint32_t pc : clist.items()) {
      const Inst& in = prog_[pc];
      bool step = false;
      switch (in.op) {
        case Op::kMatch: return true;
        case Op::kRune: step = !at_end && r.value == in.rune; break;
        case Op::kClass: step = !at_end && InRanges(classes_[in.x], r.value); break;
        case Op::kAnyNotNL: step = !at_end && r.value != '\n'; break;
        default: break;
      }
      if (step) add(nlist, pc + 1, pos + r.size);
    }
    if (at_end) return false;
    std::swap(clist, nlist);
    pos += r.size;
  }
}

}  // namespace builder::filespec
