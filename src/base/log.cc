// Process-wide log level and stderr sink.
#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace builder {

namespace {

LogLevel InitialLevel() {
  LogLevel level = LogLevel::kWarn;
  if (const char* env = std::getenv("BUILDER_LOG")) ParseLogLevel(env, &level);
  return level;
}

std::atomic<LogLevel>& Level() {
  static std::atomic<LogLevel> level{InitialLevel()};
  return level;
}

constexpr std::string_view kNames[] = {"error", "warning", "info", "debug"};

}  // namespace

LogLevel GetLogLevel() { return Level().load(std::memory_order_relaxed); }
void SetLogLevel(LogLevel level) { Level().store(level, std::memory_order_relaxed); }

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  if (name == "error") *out = LogLevel::kError;
  else if (name == "warn" || name == "warning") *out = LogLevel::kWarn;
  else if (name == "info") *out = LogLevel::kInfo;
  else if (name == "debug") *out = LogLevel::kDebug;
  else return false;
  return true;
}

void Log(LogLevel level, std::string_view message) {
  if (level > GetLogLevel()) return;
  // One write per line so lines from parallel steps never interleave mid-line.
  std::string line = "builder: ";
  line += kNames[static_cast<int>(level)];
  line += ": ";
  line += message;
  line += '\n';
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace builder
