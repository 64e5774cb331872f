// `builder logs [-f] [--tail N] [-t] [--since T] [--until T] CONTAINER`: the container's log,
// stdout to stdout and stderr to stderr; -f follows until the container stops.
#include <unistd.h>

#include <iostream>
#include <optional>

#include "base/staged_file.h"
#include "commands.h"
#include "human.h"
#include "runner/container_log.h"

namespace builder::cli {
namespace {

struct Options {
  std::string ref;
  bool follow = false, timestamps = false;
  std::string tail = "all";
  std::string since, until;
};

// The entries whose time lies in [since, until]; an entry whose time does not parse is kept.
std::vector<runner::LogEntry> InWindow(std::vector<runner::LogEntry> entries, std::optional<std::int64_t> since,
                                       std::optional<std::int64_t> until) {
  if (!since && !until) return entries;
  std::vector<runner::LogEntry> kept;
  for (runner::LogEntry& e : entries) {
    auto t = ParseRfc3339Nanos(e.time);
    if (t && ((since && *t < *since) || (until && *t > *until))) continue;
    kept.push_back(std::move(e));
  }
  return kept;
}

void Print(const std::vector<runner::LogEntry>& entries, bool timestamps) {
  for (const runner::LogEntry& e : entries) {
    std::string text = timestamps ? e.time + " " + e.text : e.text;
    (void)WriteAll(e.stream == "stderr" ? 2 : 1, text, e.stream);
  }
}

Result<void> Logs(const Options& opt) {
  runner::ContainerStore store = BUILDER_TRY(OpenContainers());
  std::string id = BUILDER_TRY(store.Resolve(opt.ref));
  const std::string path = store.LogPath(id);
  std::size_t tail = std::string::npos;
  if (opt.tail != "all") {
    char* end = nullptr;
    long n = std::strtol(opt.tail.c_str(), &end, 10);
    if (end == opt.tail.c_str() || *end != '\0') {
      return Fail(ErrorCode::kInvalidArgument, "invalid value for --tail: " + opt.tail);
    }
    if (n >= 0) tail = static_cast<std::size_t>(n);
  }
  std::optional<std::int64_t> since, until;
  if (!opt.since.empty()) since = BUILDER_TRY(ParseTimeFlag("--since", opt.since));
  if (!opt.until.empty()) until = BUILDER_TRY(ParseTimeFlag("--until", opt.until));
  // What is there now, then (with -f) whatever follows: a follower opened at the end first, so
  // nothing written between the two reads is lost or shown twice.
  runner::LogFollower follower(path, runner::LogFollower::kEnd);
  std::vector<runner::LogEntry> entries = InWindow(BUILDER_TRY(runner::ReadLog(path)), since, until);
  // --tail counts lines; a partial line written as its own entry joins its line here.
  std::size_t start = 0, lines = 0;
  for (std::size_t i = entries.size(); i > 0 && tail != std::string::npos; --i) {
    if (entries[i - 1].text.ends_with('\n')) {
      if (lines == tail) {
        start = i;
        break;
      }
      ++lines;
    }
  }
  Print(std::vector<runner::LogEntry>(entries.begin() + static_cast<std::ptrdiff_t>(start), entries.end()),
        opt.timestamps);
  if (!opt.follow) return {};
  for (;;) {
    Print(InWindow(BUILDER_TRY(follower.Poll()), since, until), opt.timestamps);
    auto view = store.View(id);
    if (!view || (!view->state.active() && !view->monitor_alive)) {
      Print(InWindow(BUILDER_TRY(follower.Poll()), since, until), opt.timestamps);
      return {};
    }
    ::usleep(50000);
  }
}

}  // namespace

void RegisterLogs(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("logs", "Fetch the logs of a container");
  static Options opt;
  cmd->add_option("CONTAINER", opt.ref, "Container (name, id or id prefix)")->required();
  cmd->add_flag("-f,--follow", opt.follow, "Follow log output");
  cmd->add_flag("-t,--timestamps", opt.timestamps, "Show timestamps");
  cmd->add_option("-n,--tail", opt.tail, "Number of lines to show from the end of the logs");
  cmd->add_option("--since", opt.since,
                  "Show logs since a time (Unix time, RFC 3339 time or date) or a duration ago (10m)");
  cmd->add_option("--until", opt.until,
                  "Show logs until a time (Unix time, RFC 3339 time or date) or a duration ago (10m)");
  cmd->callback([status] {
    auto r = Logs(opt);
    if (!r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
