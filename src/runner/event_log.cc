// The events journal: append (O_APPEND, one write per line, rotation under a lock), read, follow.
#include "runner/event_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/file_lock.h"
#include "base/path.h"

namespace builder::runner {

using nlohmann::json;

namespace {

std::int64_t NowNano() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void ParseLines(std::string_view text, std::vector<Event>* out) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) break;  // a line still being written
    if (auto e = Event::FromJson(text.substr(start, end - start))) out->push_back(std::move(*e));
    start = end + 1;
  }
}

}  // namespace

std::string Event::ToJson() const {
  const std::int64_t seconds = time_nano / 1000000000;
  json attrs = json::object();
  for (const auto& [k, v] : attributes) attrs[k] = v;
  json j = json::object();
  // docker's deprecated top-level fields (status, id, from) are still what many scripts read.
  if (type == "container") {
    j["status"] = action;
    j["id"] = id;
    if (auto it = attributes.find("image"); it != attributes.end()) j["from"] = it->second;
  }
  j["Type"] = type;
  j["Action"] = action;
  j["Actor"] = {{"ID", id}, {"Attributes", attrs}};
  j["scope"] = "local";
  j["time"] = seconds;
  j["timeNano"] = time_nano;
  return j.dump();
}

Result<Event> Event::FromJson(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (!j.is_object()) return Fail(ErrorCode::kCorrupt, "event is not a JSON object");
  Event e;
  try {
    e.type = j.value("Type", "container");
    e.action = j.value("Action", "");
    e.time_nano = j.value("timeNano", std::int64_t{0});
    if (auto actor = j.find("Actor"); actor != j.end() && actor->is_object()) {
      e.id = actor->value("ID", "");
      if (auto attrs = actor->find("Attributes"); attrs != actor->end() && attrs->is_object()) {
        for (const auto& [k, v] : attrs->items()) {
          if (v.is_string()) e.attributes[k] = v.get<std::string>();
        }
      }
    }
  } catch (const json::exception& ex) {
    return Fail(ErrorCode::kCorrupt, std::string("event: ") + ex.what());
  }
  if (e.action.empty()) return Fail(ErrorCode::kCorrupt, "event without an action");
  return e;
}

std::string Event::ToLine() const {
  const time_t seconds = static_cast<time_t>(time_nano / 1000000000);
  tm utc{};
  ::gmtime_r(&seconds, &utc);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09lldZ", static_cast<long long>(time_nano % 1000000000));
  std::string out = std::string(stamp) + frac + " " + type + " " + action + " " + id;
  if (!attributes.empty()) {
    std::string attrs;
    for (const auto& [k, v] : attributes) attrs += (attrs.empty() ? "" : ", ") + k + "=" + v;
    out += " (" + attrs + ")";
  }
  return out;
}

Event ContainerEvent(const ContainerSpec& spec, std::string action,
                     const std::map<std::string, std::string>& extra) {
  Event e;
  e.action = std::move(action);
  e.id = spec.id;
  e.attributes = spec.labels;
  e.attributes["image"] = spec.image;
  e.attributes["name"] = spec.name;
  for (const auto& [k, v] : extra) e.attributes[k] = v;
  e.time_nano = NowNano();
  return e;
}

Event ObjectEvent(std::string type, std::string action, std::string id,
                  std::map<std::string, std::string> attributes) {
  Event e;
  e.type = std::move(type);
  e.action = std::move(action);
  e.id = std::move(id);
  e.attributes = std::move(attributes);
  e.time_nano = NowNano();
  return e;
}

EventLog::EventLog(std::string root, std::uint64_t max_bytes)
    : root_(std::move(root)), max_bytes_(max_bytes) {}

Result<void> EventLog::Append(const Event& event) const {
  const std::string line = event.ToJson() + "\n";
  const std::string file = path();
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return FailErrno("open " + file, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return FailErrno("stat " + file, errno);
  if (static_cast<std::uint64_t>(st.st_size) + line.size() > max_bytes_) {
    // One rotation at a time: whoever gets the lock and still sees this big file renames it.
    FileLock lock = BUILDER_TRY(FileLock::Acquire(root_ + "/events.lock", FileLock::Mode::kExclusive));
    struct stat now;
    if (::stat(file.c_str(), &now) == 0 && now.st_ino == st.st_ino &&
        static_cast<std::uint64_t>(now.st_size) + line.size() > max_bytes_) {
      if (::rename(file.c_str(), rotated_path().c_str()) != 0) {
        return FailErrno("rotate " + file, errno);
      }
    }
    fd = UniqueFd(::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) return FailErrno("open " + file, errno);
  }
  const ssize_t n = ::write(fd.get(), line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) {
    return FailErrno("append to " + file, n < 0 ? errno : EIO);
  }
  return {};
}

namespace {

Result<void> ReadInto(const std::string& file, std::vector<Event>* out) {
  auto text = ReadFile(file);
  if (!text) {
    if (text.error().sys_errno() == ENOENT) return {};
    return Fail(std::move(text.error()));
  }
  ParseLines(*text, out);
  return {};
}

}  // namespace

Result<std::vector<Event>> EventLog::ReadAll() const {
  std::vector<Event> out;
  BUILDER_TRY(ReadInto(rotated_path(), &out));
  BUILDER_TRY(ReadInto(path(), &out));
  return out;
}

Result<std::vector<Event>> EventLog::ReadRotated() const {
  std::vector<Event> out;
  BUILDER_TRY(ReadInto(rotated_path(), &out));
  return out;
}

void RecordEvent(const std::string& root, const Event& event) {
  (void)EventLog(root).Append(event);
}

Result<EventTail> EventTail::Open(const EventLog& log, bool from_start) {
  EventTail tail(log.path());
  tail.fd_ = UniqueFd(::open(tail.path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!tail.fd_) {
    if (errno != ENOENT) return FailErrno("open " + tail.path_, errno);
    return tail;  // no event yet: Poll opens it once it exists
  }
  struct stat st;
  if (::fstat(tail.fd_.get(), &st) != 0) return FailErrno("stat " + tail.path_, errno);
  tail.inode_ = st.st_ino;
  if (!from_start) {
    // From the end: every line is one write, so the end is a line boundary.
    if (::lseek(tail.fd_.get(), 0, SEEK_END) < 0) return FailErrno("seek " + tail.path_, errno);
  }
  return tail;
}

void EventTail::ReadLines(std::vector<Event>* out) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial_.append(buf, static_cast<std::size_t>(n));
  }
  const std::size_t last = partial_.rfind('\n');
  if (last == std::string::npos) return;
  ParseLines(std::string_view(partial_).substr(0, last + 1), out);
  partial_.erase(0, last + 1);
}

Result<std::vector<Event>> EventTail::Poll() {
  std::vector<Event> out;
  if (fd_) ReadLines(&out);
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) return out;
  if (fd_ && st.st_ino == inode_) return out;
  // Rotated (or created): what was left of the old file is read above; the new one from 0.
  fd_ = UniqueFd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd_) return out;
  inode_ = st.st_ino;
  partial_.clear();
  ReadLines(&out);
  return out;
}

}  // namespace builder::runner
