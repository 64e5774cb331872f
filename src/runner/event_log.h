// EventLog: the store's journal of container lifecycle events ($BUILDER_ROOT/events.log), one
// docker events JSON object per line, appended by every process that changes a container and
// read (and followed) by `builder events`.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "runner/container_spec.h"

namespace builder::runner {

/// One event as docker reports it.
struct Event {
  std::string type = "container";
  std::string action;  ///< "create", "start", "die", "health_status: healthy", ...
  std::string id;      ///< the container's full id
  std::map<std::string, std::string> attributes;  ///< image, name, exitCode, signal, labels...
  std::int64_t time_nano = 0;

  /// docker's JSON: status, id, from, Type, Action, Actor{ID, Attributes}, scope, time, timeNano.
  std::string ToJson() const;
  [[nodiscard]] static Result<Event> FromJson(std::string_view line);
  /// docker's text line: "2024-01-02T03:04:05.000000006Z container die ID (exitCode=0, image=x,
  /// name=y)", the time in UTC with nine fraction digits, attributes sorted by key.
  std::string ToLine() const;
};

/// A container event with docker's attributes (image, name, the labels) plus `extra`, now.
Event ContainerEvent(const ContainerSpec& spec, std::string action,
                     const std::map<std::string, std::string>& extra = {});

/// A network or volume event (`type` "network" or "volume"), with `attributes`, now. docker's
/// actors: the network's id (attributes name, type, container for connect/disconnect), the
/// volume's name (attribute driver).
Event ObjectEvent(std::string type, std::string action, std::string id,
                  std::map<std::string, std::string> attributes);

class EventLog {
 public:
  static constexpr std::uint64_t kDefaultMaxBytes = 4 << 20;

  /// `root` is $BUILDER_ROOT. Past max_bytes the journal rotates to events.log.1 (one
  /// generation kept), so it never grows without bound.
  explicit EventLog(std::string root, std::uint64_t max_bytes = kDefaultMaxBytes);

  std::string path() const { return root_ + "/events.log"; }
  std::string rotated_path() const { return path() + ".1"; }

  /// One write(2) of the whole line on an O_APPEND fd: concurrent writers never interleave.
  [[nodiscard]] Result<void> Append(const Event& event) const;
  /// Every stored event, oldest first (the rotated generation, then the current file); lines
  /// that do not parse (a torn write after a crash) are skipped.
  [[nodiscard]] Result<std::vector<Event>> ReadAll() const;
  /// Only the rotated generation (what an EventTail from the start of path() does not see).
  [[nodiscard]] Result<std::vector<Event>> ReadRotated() const;

 private:
  std::string root_;
  std::uint64_t max_bytes_;
};

/// Appends to $BUILDER_ROOT/events.log, best effort: an event that cannot be recorded never
/// fails the operation that caused it.
void RecordEvent(const std::string& root, const Event& event);

/// Follows the journal from its end at construction (or from its start), across rotations:
/// Poll() returns the events appended since the last call.
class EventTail {
 public:
  [[nodiscard]] static Result<EventTail> Open(const EventLog& log, bool from_start = false);
  [[nodiscard]] Result<std::vector<Event>> Poll();

 private:
  explicit EventTail(std::string path) : path_(std::move(path)) {}
  void ReadLines(std::vector<Event>* out);

  std::string path_;
  UniqueFd fd_;
  ino_t inode_ = 0;
  std::string partial_;
};

}  // namespace builder::runner
