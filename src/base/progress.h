// Progress reporting for long operations: a redrawn bar on a terminal, plain lines otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace builder {

enum class ProgressMode { kAuto, kTty, kPlain, kQuiet };

/// Parses "auto", "tty", "plain", "quiet"; false when unknown.
bool ParseProgressMode(std::string_view name, ProgressMode* out);

/// Reports one task at a time. Not thread-safe: one reporter per task owner.
class Progress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  virtual ~Progress() = default;
  /// Begins a task; total is in bytes, 0 when unknown.
  virtual void Start(std::string_view task, std::uint64_t total) = 0;
  /// Adds done bytes to the current task.
  virtual void Advance(std::uint64_t done) = 0;
  /// Ends the current task.
  virtual void Finish() = 0;
};

/// Makes a reporter writing to out. kAuto picks kTty when out is an interactive terminal
/// (base/terminal.h: a tty, $CI empty, $TERM not dumb),
/// kPlain otherwise. clock is injectable for tests; redraws and plain lines are rate-limited by it.
std::unique_ptr<Progress> MakeProgress(ProgressMode mode, std::FILE* out, Progress::Clock clock = {});

/// "1.5 MB" style sizes (decimal units, as docker prints them).
std::string HumanSize(std::uint64_t bytes);

}  // namespace builder
