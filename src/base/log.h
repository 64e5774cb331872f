// Logging to stderr with a process-wide level; "builder: warning: ..." style lines.
#pragma once

#include <string_view>

namespace builder {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

/// The level below which messages are dropped. Starts from $BUILDER_LOG (error|warn|info|debug),
/// default warn.
LogLevel GetLogLevel();
void SetLogLevel(LogLevel level);
/// Parses "error", "warn", "info", "debug"; false when the name is unknown.
bool ParseLogLevel(std::string_view name, LogLevel* out);

/// Writes one line "builder: <level>: <message>" to stderr when level is enabled.
void Log(LogLevel level, std::string_view message);
inline void LogWarn(std::string_view message) { Log(LogLevel::kWarn, message); }
inline void LogInfo(std::string_view message) { Log(LogLevel::kInfo, message); }
inline void LogDebug(std::string_view message) { Log(LogLevel::kDebug, message); }

}  // namespace builder
