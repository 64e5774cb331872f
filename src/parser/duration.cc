// Go duration parsing and printing, following src/time/format.go's algorithm.
#include "parser/duration.h"

#include <string>

namespace builder::parser {

namespace {

constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;

// Go's strconv-style quoting for error messages.
std::string Quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::unexpected<Error> Invalid(std::string_view orig) {
  return Fail(ErrorCode::kInvalidArgument, "time: invalid duration " + Quote(orig));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::uint64_t UnitValue(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs") return 1000;  // µ (micro sign), μ (mu)
  if (u == "ms") return 1000 * 1000;
  if (u == "s") return 1000ull * 1000 * 1000;
  if (u == "m") return 60ull * 1000 * 1000 * 1000;
  if (u == "h") return 3600ull * 1000 * 1000 * 1000;
  return 0;
}

}  // namespace

Result<DurationNs> ParseGoDuration(std::string_view text) {
  std::string_view orig = text;
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return Invalid(orig);
  std::uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || IsDigit(s[0]))) return Invalid(orig);
    // The integer part.
    std::uint64_t v = 0;
    std::size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (v > kMaxMagnitude / 10) return Invalid(orig);
      v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (v > kMaxMagnitude) return Invalid(orig);
    }
    bool pre = i > 0;
    s.remove_prefix(i);
    // The fraction: digits past what fits are dropped, as Go does.
    std::uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      std::size_t j = 0;
      bool overflow = false;
      for (; j < s.size() && IsDigit(s[j]); ++j) {
        if (overflow) continue;
        if (f > (kMaxMagnitude - 1) / 10) {
          overflow = true;
          continue;
        }
        std::uint64_t y = f * 10 + static_cast<std::uint64_t>(s[j] - '0');
        if (y > kMaxMagnitude) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s.remove_prefix(j);
    }
    if (!pre && !post) return Invalid(orig);
    std::size_t k = 0;
    while (k < s.size() && s[k] != '.' && !IsDigit(s[k])) ++k;
    if (k == 0) {
      return Fail(ErrorCode::kInvalidArgument, "time: missing unit in duration " + Quote(orig));
    }
    std::string_view u = s.substr(0, k);
    s.remove_prefix(k);
    std::uint64_t unit = UnitValue(u);
    if (unit == 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "time: unknown unit " + Quote(u) + " in duration " + Quote(orig));
    }
    if (v > kMaxMagnitude / unit) return Invalid(orig);
    v *= unit;
    if (f > 0) {
      v += static_cast<std::uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kMaxMagnitude) return Invalid(orig);
    }
    total += v;
    if (total > kMaxMagnitude) return Invalid(orig);
  }
  if (neg) return total == kMaxMagnitude ? INT64_MIN : -static_cast<DurationNs>(total);
  if (total > kMaxMagnitude - 1) return Invalid(orig);
  return static_cast<DurationNs>(total);
}

namespace {

// Writes v/10^prec with trailing zeros of the fraction dropped, as Go's fmtFrac + fmtInt.
std::string FracString(std::uint64_t v, int prec, std::uint64_t* rest) {
  std::string frac;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    int digit = static_cast<int>(v % 10);
    print = print || digit != 0;
    if (print) frac.insert(frac.begin(), static_cast<char>('0' + digit));
    v /= 10;
  }
  *rest = v;
  return print ? "." + frac : "";
}

}  // namespace

std::string FormatGoDuration(DurationNs d) {
  bool neg = d < 0;
  std::uint64_t u = neg ? static_cast<std::uint64_t>(-(d + 1)) + 1 : static_cast<std::uint64_t>(d);
  std::string out;
  if (u < static_cast<std::uint64_t>(kSecond)) {
    if (u == 0) return "0s";
    int prec;
    std::string unit;
    if (u < static_cast<std::uint64_t>(kMicrosecond)) {
      prec = 0;
      unit = "ns";
    } else if (u < static_cast<std::uint64_t>(kMillisecond)) {
      prec = 3;
      unit = "\xC2\xB5s";
    } else {
      prec = 6;
      unit = "ms";
    }
    std::uint64_t whole;
    std::string frac = FracString(u, prec, &whole);
    out = std::to_string(whole) + frac + unit;
  } else {
    std::uint64_t whole;
    std::string frac = FracString(u, 9, &whole);
    std::uint64_t secs = whole % 60;
    std::uint64_t mins = whole / 60;
    out = std::to_string(secs) + frac + "s";
    if (mins > 0) {
      out = std::to_string(mins % 60) + "m" + out;
      std::uint64_t hours = mins / 60;
      if (hours > 0) out = std::to_string(hours) + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

}  // namespace builder::parser
