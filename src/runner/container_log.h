// A container's log: docker's json-file lines {"log","stream","time"}, size-capped by rotating
// container.log to container.log.1; written by the monitor, read by logs, run and attach.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace builder::runner {

struct LogEntry {
  std::string stream;  ///< "stdout" or "stderr"
  std::string time;    ///< RFC 3339 nano
  std::string text;    ///< the bytes, usually one line with its '\n'
};

/// Appends entries; rotates when the file passes max_bytes (one older file is kept).
class LogWriter {
 public:
  [[nodiscard]] static Result<LogWriter> Open(std::string path, std::uint64_t max_bytes);
  /// Writes `data` from `stream`, one entry per line; a trailing partial line is its own entry
  /// (so a prompt shows at once; readers concatenate the text).
  [[nodiscard]] Result<void> Write(std::string_view stream, std::string_view data);

 private:
  LogWriter(std::string path, std::uint64_t max_bytes, UniqueFd fd, std::uint64_t size)
      : path_(std::move(path)), max_bytes_(max_bytes), fd_(std::move(fd)), size_(size) {}
  [[nodiscard]] Result<void> Rotate();
  std::string path_;
  std::uint64_t max_bytes_;
  UniqueFd fd_;
  std::uint64_t size_;
};

/// Parses one json-file line; kCorrupt for anything else.
[[nodiscard]] Result<LogEntry> ParseLogLine(std::string_view line);
/// Encodes one entry as a json-file line with its '\n'.
std::string FormatLogLine(const LogEntry& entry);

/// Reads a log from a position on and on, across rotations (the file's inode changes).
class LogFollower {
 public:
  /// Starts at byte `offset` of the current file; kEnd skips what is there now (attach to a
  /// running container's new output).
  static constexpr std::int64_t kEnd = -1;
  explicit LogFollower(std::string path, std::int64_t offset = 0);
  /// Goes on from `log`'s position: a descriptor of path's file opened earlier.
  LogFollower(std::string path, UniqueFd log);
  /// Every complete entry written since the last call (the rotated-away file's rest first).
  [[nodiscard]] Result<std::vector<LogEntry>> Poll();

 private:
  [[nodiscard]] Result<void> ReadAvailable(std::vector<LogEntry>* out);
  std::string path_;
  UniqueFd fd_;
  ino_t inode_ = 0;
  std::string partial_;
};

/// Every entry of the log, oldest first (container.log.1, then container.log).
[[nodiscard]] Result<std::vector<LogEntry>> ReadLog(const std::string& path);

}  // namespace builder::runner
