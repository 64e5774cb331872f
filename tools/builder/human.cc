// Formatting that matches what docker prints, so scripts written for docker read our output.
#include "human.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "parser/duration.h"

namespace builder::cli {

std::string DockerSize(std::int64_t bytes, int precision) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  double size = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (size >= 1000.0 && unit + 1 < std::size(kUnits)) {
    size /= 1000.0;
    ++unit;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g%s", precision, size, kUnits[unit]);
  return buf;
}

std::string DockerBytesSize(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  double size = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (size >= 1024.0 && unit + 1 < std::size(kUnits)) {
    size /= 1024.0;
    ++unit;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g%s", size, kUnits[unit]);
  return buf;
}

std::string HumanDuration(std::int64_t seconds) {
  auto n = [](std::int64_t v, const char* unit) { return std::to_string(v) + " " + unit; };
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return n(seconds, "seconds");
  std::int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return n(minutes, "minutes");
  std::int64_t hours = (seconds + 1800) / 3600;  // Go rounds d.Hours() + 0.5
  if (hours == 1) return "About an hour";
  if (hours < 48) return n(hours, "hours");
  if (hours < 24 * 7 * 2) return n(hours / 24, "days");
  if (hours < 24 * 30 * 2) return n(hours / 24 / 7, "weeks");
  if (hours < 24 * 365 * 2) return n(hours / 24 / 30, "months");
  return n(seconds / 3600 / 24 / 365, "years");
}

std::optional<std::int64_t> ParseRfc3339(std::string_view text) {
  auto ns = ParseRfc3339Nanos(text);
  if (!ns) return std::nullopt;
  return *ns / 1000000000 - (*ns % 1000000000 < 0 ? 1 : 0);
}

std::optional<std::int64_t> ParseRfc3339Nanos(std::string_view text) {
  std::string s(text);
  int year, month, day, hour, minute, second, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &year, &month, &day, &hour,
                  &minute, &second, &consumed) != 6 || consumed != 19) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    std::int64_t scale = 100000000;
    for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
    }
  }
  std::int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om, used = 0;
    if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d%n", &oh, &om, &used) != 2 || used != 5) {
      return std::nullopt;
    }
    offset = (s[pos] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::int64_t secs = static_cast<std::int64_t>(::timegm(&tm)) - offset;
  // Nanoseconds since 1970 fit an int64 until 2262: later (or earlier) times saturate.
  constexpr std::int64_t kMaxSecs = std::numeric_limits<std::int64_t>::max() / 1000000000 - 1;
  if (secs > kMaxSecs) return std::numeric_limits<std::int64_t>::max();
  if (secs < -kMaxSecs) return std::numeric_limits<std::int64_t>::min();
  return secs * 1000000000 + frac_ns;
}

std::string CreatedSince(std::string_view created, std::time_t now) {
  auto t = ParseRfc3339(created);
  if (!t || *t <= 0) return "N/A";
  return HumanDuration(static_cast<std::int64_t>(now) - *t) + " ago";
}

std::string GoTimeString(std::string_view created) {
  auto t = ParseRfc3339(created);
  if (!t) return "";
  std::time_t tt = static_cast<std::time_t>(*t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  return buf;
}

std::string Ellipsis(std::string_view s, std::size_t max_width) {
  std::size_t points = 0, cut = s.size(), keep = s.size();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (points == max_width - 1) keep = i;
    if (points == max_width) {
      cut = i;
      break;
    }
    ++points;
  }
  if (cut == s.size() || max_width == 0) return std::string(s.substr(0, cut));
  return std::string(s.substr(0, keep)) + "\u2026";
}

namespace {

// Nanoseconds since the epoch of an RFC 3339 time ("2026-12-07T14:00:00.5Z", "...+01:00") or a
// date alone ("2026-12-07", UTC midnight); nullopt when `text` is neither.
std::optional<std::int64_t> ParseLogTimestamp(const std::string& text) {
  if (text.size() == 10) return ParseRfc3339Nanos(text + "T00:00:00Z");
  return ParseRfc3339Nanos(text);
}

}  // namespace

Result<std::int64_t> ParseTimeFlag(const std::string& flag, const std::string& text) {
  if (auto t = ParseLogTimestamp(text)) return *t;
  char* end = nullptr;
  const double unix_s = std::strtod(text.c_str(), &end);
  if (!text.empty() && end != text.c_str() && *end == '\0' && std::isdigit(static_cast<unsigned char>(text[0]))) {
    return static_cast<std::int64_t>(unix_s * 1e9);
  }
  auto d = parser::ParseGoDuration(text);
  if (!d) {
    return Fail(ErrorCode::kInvalidArgument, "invalid value for " + flag + ": \"" + text +
                                                 "\" (a Unix time, an RFC 3339 time or a duration like 10m)");
  }
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return now - (*d < 0 ? -*d : *d);
}

}  // namespace builder::cli
