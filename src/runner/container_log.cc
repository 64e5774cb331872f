// json-file log writing, rotation and reading.
#include "runner/container_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "base/staged_file.h"
#include "runner/container_state.h"

namespace builder::runner {

using nlohmann::json;

std::string FormatLogLine(const LogEntry& entry) {
  json j = {{"log", entry.text}, {"stream", entry.stream}, {"time", entry.time}};
  // Container output is arbitrary bytes: invalid UTF-8 is replaced rather than refused.
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<LogEntry> ParseLogLine(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (!j.is_object() || !j.contains("log") || !j["log"].is_string()) {
    return Fail(ErrorCode::kCorrupt, "log line is not a json-file entry");
  }
  LogEntry e;
  e.text = j["log"].get<std::string>();
  e.stream = j.value("stream", "stdout");
  e.time = j.value("time", "");
  return e;
}

Result<LogWriter> LogWriter::Open(std::string path, std::uint64_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd) return FailErrno("open log " + path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return FailErrno("stat log " + path, errno);
  return LogWriter(std::move(path), max_bytes, std::move(fd), static_cast<std::uint64_t>(st.st_size));
}

Result<void> LogWriter::Rotate() {
  const std::string old = path_ + ".1";
  if (::rename(path_.c_str(), old.c_str()) != 0) return FailErrno("rotate log " + path_, errno);
  UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd) return FailErrno("open log " + path_, errno);
  fd_ = std::move(fd);
  size_ = 0;
  return {};
}

Result<void> LogWriter::Write(std::string_view stream, std::string_view data) {
  std::string out;
  const std::string now = NowTimestamp();
  while (!data.empty()) {
    std::size_t nl = data.find('\n');
    std::size_t n = nl == std::string_view::npos ? data.size() : nl + 1;
    out += FormatLogLine(LogEntry{std::string(stream), now, std::string(data.substr(0, n))});
    data.remove_prefix(n);
  }
  if (size_ > 0 && size_ + out.size() > max_bytes_) BUILDER_TRY(Rotate());
  BUILDER_TRY(WriteAll(fd_.get(), out, "log " + path_));
  size_ += out.size();
  return {};
}

LogFollower::LogFollower(std::string path, std::int64_t offset) : path_(std::move(path)) {
  fd_.Reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (fd_ && ::fstat(fd_.get(), &st) == 0) {
    inode_ = st.st_ino;
    if (offset == kEnd) {
      ::lseek(fd_.get(), 0, SEEK_END);
    } else if (offset > 0) {
      ::lseek(fd_.get(), static_cast<off_t>(offset), SEEK_SET);
    }
  }
}

LogFollower::LogFollower(std::string path, UniqueFd log) : path_(std::move(path)), fd_(std::move(log)) {
  struct stat st;
  if (fd_ && ::fstat(fd_.get(), &st) == 0) inode_ = st.st_ino;
}

Result<void> LogFollower::ReadAvailable(std::vector<LogEntry>* out) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FailErrno("read log " + path_, errno);
    if (n == 0) break;
    partial_.append(buf, static_cast<std::size_t>(n));
  }
  std::size_t start = 0;
  for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    auto e = ParseLogLine(std::string_view(partial_).substr(start, nl - start));
    if (e) out->push_back(std::move(*e));
  }
  partial_.erase(0, start);
  return {};
}

Result<std::vector<LogEntry>> LogFollower::Poll() {
  std::vector<LogEntry> out;
  if (fd_) BUILDER_TRY(ReadAvailable(&out));
  struct stat st;
  if (::stat(path_.c_str(), &st) == 0 && (!fd_ || st.st_ino != inode_)) {
    // Rotated (or created): the old file is complete; go on with the new one from its start.
    fd_.Reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    inode_ = st.st_ino;
    partial_.clear();
    if (fd_) BUILDER_TRY(ReadAvailable(&out));
  }
  return out;
}

Result<std::vector<LogEntry>> ReadLog(const std::string& path) {
  std::vector<LogEntry> out;
  for (const std::string& p : {path + ".1", path}) {
    if (::access(p.c_str(), F_OK) != 0) continue;
    LogFollower f(p);
    std::vector<LogEntry> part = BUILDER_TRY(f.Poll());
    out.insert(out.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return out;
}

}  // namespace builder::runner
