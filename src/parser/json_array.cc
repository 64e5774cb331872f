// An iterative JSON scanner for instruction arrays, following Go's encoding/json grammar and its
// string decoding, so a Dockerfile's exec form means what it means to BuildKit.
#include "parser/json_array.h"

#include <cmath>
#include <cstdlib>

#include "base/go_compat.h"

namespace builder::parser {

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  std::size_t pos() const { return i_; }
  void set_pos(std::size_t i) { i_ = i; }
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek() const { return s_[i_]; }
  void Advance() { ++i_; }

  void SkipSpace() {
    while (i_ < s_.size() && IsJsonSpace(s_[i_])) ++i_;
  }

  // Scans a string starting at its opening quote; decodes into *out unless out is null.
  bool ScanString(std::string* out) {
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!ScanEscape(out)) return false;
        continue;
      }
      if (c < 0x80) {
        if (out) *out += static_cast<char>(c);
        ++i_;
        continue;
      }
      const auto rune = gocompat::DecodeRune(s_, i_);
      if (out) {
        if (rune.value == gocompat::kRuneError && rune.size == 1) {
          gocompat::AppendRune(*out, gocompat::kRuneError);
        } else {
          out->append(s_.substr(i_, rune.size));
        }
      }
      i_ += rune.size;
    }
    return false;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and, as Go's decoder into any, finite.
  bool ScanNumber() {
    const std::size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !IsDigit(s_[i_])) return false;
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (i_ >= s_.size() || !IsDigit(s_[i_])) return false;
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ >= s_.size() || !IsDigit(s_[i_])) return false;
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    const std::string digits(s_.substr(start, i_ - start));
    return std::isfinite(std::strtod(digits.c_str(), nullptr));
  }

  bool ScanLiteral(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

 private:
  int ReadHex4(std::size_t at) const {
    if (at + 4 > s_.size()) return -1;
    int v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const int h = HexValue(s_[at + k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  bool ScanEscape(std::string* out) {
    if (i_ + 1 >= s_.size()) return false;
    const char e = s_[i_ + 1];
    char plain = 0;
    switch (e) {
      case '"':
        plain = '"';
        break;
      case '\\':
        plain = '\\';
        break;
      case '/':
        plain = '/';
        break;
      case 'b':
        plain = '\b';
        break;
      case 'f':
        plain = '\f';
        break;
      case 'n':
        plain = '\n';
        break;
      case 'r':
        plain = '\r';
        break;
      case 't':
        plain = '\t';
        break;
      case 'u':
        break;
      default:
        return false;
    }
    if (e != 'u') {
      if (out) *out += plain;
      i_ += 2;
      return true;
    }
    const int r = ReadHex4(i_ + 2);
    if (r < 0) return false;
    i_ += 6;
    char32_t rune = static_cast<char32_t>(r);
    if (rune >= 0xD800 && rune < 0xE000) {
      // Go pairs a high surrogate with an immediately following \u low surrogate; anything
      // else is U+FFFD and the next escape is decoded on its own.
      rune = gocompat::kRuneError;
      if (r < 0xDC00 && i_ + 1 < s_.size() && s_[i_] == '\\' && s_[i_ + 1] == 'u') {
        const int lo = ReadHex4(i_ + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
          rune = 0x10000 + ((static_cast<char32_t>(r) - 0xD800) << 10) +
                 (static_cast<char32_t>(lo) - 0xDC00);
          i_ += 6;
        }
      }
    }
    if (out) gocompat::AppendRune(*out, rune);
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// Where the scanner is inside the current container.
enum class Expect { kFirstArrayValue, kFirstObjectKey, kObjectKey, kValue, kAfterValue };

}  // namespace

JsonArray ParseJsonStringArray(std::string_view text) {
  JsonArray result;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto rune = gocompat::DecodeRune(text, start);
    if (!gocompat::IsSpace(rune.value)) break;
    start += rune.size;
  }
  if (start >= text.size() || text[start] != '[') return result;

  Scanner sc(text);
  sc.set_pos(start + 1);
  std::string containers = "[";  // one char per open container: '[' or '{'
  bool non_string = false;
  std::size_t bad_offset = 0;
  Expect expect = Expect::kFirstArrayValue;
  auto fail = [] { return JsonArray{}; };

  while (true) {
    sc.SkipSpace();
    if (sc.AtEnd()) return fail();
    const char c = sc.Peek();
    switch (expect) {
      case Expect::kFirstArrayValue:
      case Expect::kFirstObjectKey:
        if (c == (expect == Expect::kFirstArrayValue ? ']' : '}')) {
          sc.Advance();
          containers.pop_back();
          expect = Expect::kAfterValue;
          break;
        }
        expect = expect == Expect::kFirstArrayValue ? Expect::kValue : Expect::kObjectKey;
        continue;
      case Expect::kObjectKey:
        if (c != '"' || !sc.ScanString(nullptr)) return fail();
        sc.SkipSpace();
        if (sc.AtEnd() || sc.Peek() != ':') return fail();
        sc.Advance();
        expect = Expect::kValue;
        break;
      case Expect::kValue: {
        const bool top_element = containers.size() == 1;
        const std::size_t at = sc.pos();
        if (top_element && c != '"' && !non_string) {
          non_string = true;
          bad_offset = at;
        }
        if (c == '"') {
          std::string* out = nullptr;
          if (top_element) {
            result.items.emplace_back();
            result.offsets.push_back(at);
            out = &result.items.back();
          }
          if (!sc.ScanString(out)) return fail();
          expect = Expect::kAfterValue;
        } else if (c == '[' || c == '{') {
          if (static_cast<int>(containers.size()) >= kMaxJsonDepth) return fail();
          containers += c;
          sc.Advance();
          expect = c == '[' ? Expect::kFirstArrayValue : Expect::kFirstObjectKey;
        } else if (c == '-' || IsDigit(c)) {
          if (!sc.ScanNumber()) return fail();
          expect = Expect::kAfterValue;
        } else if (c == 't' || c == 'f' || c == 'n') {
          if (!sc.ScanLiteral(c == 't' ? "true" : c == 'f' ? "false" : "null")) return fail();
          expect = Expect::kAfterValue;
        } else {
          return fail();
        }
        break;
      }
      case Expect::kAfterValue:
        if (containers.empty()) return fail();  // text after the closed array
        if (c == ',') {
          sc.Advance();
          expect = containers.back() == '[' ? Expect::kValue : Expect::kObjectKey;
        } else if (c == (containers.back() == '[' ? ']' : '}')) {
          sc.Advance();
          containers.pop_back();
        } else {
          return fail();
        }
        break;
    }
    if (containers.empty() && expect == Expect::kAfterValue) {
      sc.SkipSpace();
      if (!sc.AtEnd()) return fail();
      break;
    }
  }
  if (non_string) {
    JsonArray bad;
    bad.kind = JsonArrayKind::kNonString;
    bad.bad_offset = bad_offset;
    return bad;
  }
  result.kind = JsonArrayKind::kStrings;
  return result;
}

}  // namespace builder::parser
