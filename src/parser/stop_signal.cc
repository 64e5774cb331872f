// Linux signal names (moby/sys/signal's SignalMap for linux) and Go Atoi numbers.
#include "parser/stop_signal.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace builder::parser {

namespace {

// Linux numbering (x86, arm, and the generic table agree for these).
constexpr std::array<std::pair<std::string_view, int>, 34> kSignals = {{
    {"ABRT", 6},    {"ALRM", 14},   {"BUS", 7},   {"CHLD", 17}, {"CLD", 17},  {"CONT", 18},
    {"FPE", 8},     {"HUP", 1},     {"ILL", 4},   {"INT", 2},   {"IO", 29},   {"IOT", 6},
    {"KILL", 9},    {"PIPE", 13},   {"POLL", 29}, {"PROF", 27}, {"PWR", 30},  {"QUIT", 3},
    {"SEGV", 11},   {"STKFLT", 16}, {"STOP", 19}, {"SYS", 31},  {"TERM", 15}, {"TRAP", 5},
    {"TSTP", 20},   {"TTIN", 21},   {"TTOU", 22}, {"URG", 23},  {"USR1", 10}, {"USR2", 12},
    {"VTALRM", 26}, {"WINCH", 28},  {"XCPU", 24}, {"XFSZ", 25},
}};
constexpr int kRtMin = 34;
constexpr int kRtMax = 64;

// Go's strconv.Atoi for values that fit an int64; nullopt when not a number.
std::optional<long long> Atoi(std::string_view v) {
  std::size_t i = 0;
  bool neg = false;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) neg = v[i++] == '-';
  if (i == v.size() || v.size() - i > 18) return std::nullopt;
  long long n = 0;
  for (; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return std::nullopt;
    n = n * 10 + (v[i] - '0');
  }
  return neg ? -n : n;
}

}  // namespace

Result<int> ParseStopSignal(std::string_view value) {
  auto invalid = [&] { return Fail(ErrorCode::kParse, "invalid signal: " + std::string(value)); };
  if (auto n = Atoi(value)) {
    if (*n == 0 || *n < INT32_MIN || *n > INT32_MAX) return invalid();
    return static_cast<int>(*n);
  }
  std::string name(value);
  for (char& c : name)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (name.starts_with("SIG")) name.erase(0, 3);
  for (const auto& [n, num] : kSignals)
    if (n == name) return num;
  if (name == "RTMIN") return kRtMin;
  if (name == "RTMAX") return kRtMax;
  // RTMIN+1..RTMIN+15 and RTMAX-14..RTMAX-1, as the map lists them.
  for (int k = 1; k <= 15; ++k)
    if (name == "RTMIN+" + std::to_string(k)) return kRtMin + k;
  for (int k = 1; k <= 14; ++k)
    if (name == "RTMAX-" + std::to_string(k)) return kRtMax - k;
  return invalid();
}

}  // namespace builder::parser
