// `builder stats [-a] [--no-stream] [--no-trunc] [--format json|TEMPLATE] [CONTAINER...]`: live
// CPU, memory, network and block I/O figures of containers, read from their cgroups and network
// namespaces, in docker's columns; redrawn every second until interrupted.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "commands.h"
#include "format_template.h"
#include "human.h"
#include "runner/container_stats.h"
#include "table.h"

namespace builder::cli {
namespace {

using Row = std::map<std::string, std::string>;

const std::vector<std::string> kFields = {"Container", "ID",     "Name",    "CPUPerc", "MemUsage",
                                          "MemPerc",   "NetIO",  "BlockIO", "PIDs"};
const std::map<std::string, std::string> kHeaders = {
    {"Container", "CONTAINER"}, {"ID", "CONTAINER ID"}, {"Name", "NAME"},
    {"CPUPerc", "CPU %"},       {"MemUsage", "MEM USAGE / LIMIT"}, {"MemPerc", "MEM %"},
    {"NetIO", "NET I/O"},       {"BlockIO", "BLOCK I/O"}, {"PIDs", "PIDS"}};
constexpr const char* kDefaultFormat =
    "table {{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}\\t{{.MemPerc}}\\t{{.NetIO}}\\t{{.BlockIO}}\\t{{.PIDs}}";

struct Options {
  bool all = false, no_stream = false, no_trunc = false;
  std::string format;
  std::vector<std::string> refs;
};

// One container being watched: its last sample, for the CPU delta.
struct Watched {
  std::string ref;  ///< as the user named it (docker's .Container), else the short id
  std::string id;
  std::optional<runner::ContainerSample> last;
};

std::string Percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", v);
  return buf;
}

std::string Pair(std::uint64_t a, std::uint64_t b) {
  return DockerSize(static_cast<std::int64_t>(a)) + " / " + DockerSize(static_cast<std::int64_t>(b));
}

// Samples every watched container; a row for each (zeros for one that does not run, as docker).
std::vector<Row> Sample(const runner::ContainerStore& store, std::vector<Watched>& watched, bool no_trunc) {
  std::vector<Row> rows;
  for (Watched& w : watched) {
    auto view = store.View(w.id);
    Row row = {{"Container", w.ref},        {"ID", no_trunc ? w.id : w.id.substr(0, 12)},
               {"Name", view ? view->spec.name : "--"},
               {"CPUPerc", Percent(0)},     {"MemUsage", "0B / 0B"},
               {"MemPerc", Percent(0)},     {"NetIO", "0B / 0B"},
               {"BlockIO", "0B / 0B"},      {"PIDs", "0"}};
    std::optional<runner::ContainerSample> sample;
    if (view) {
      if (auto s = runner::SampleContainer(*view)) sample = std::move(*s);
    }
    if (sample) {
      const sandbox::CgroupStats& c = sample->cgroup;
      // The first round has no earlier sample: docker shows 0% until its second frame too.
      if (w.last) row["CPUPerc"] = Percent(runner::CpuPercent(*w.last, *sample));
      row["MemUsage"] = DockerBytesSize(c.memory_usage) + " / " + DockerBytesSize(c.memory_limit);
      row["MemPerc"] = Percent(runner::MemoryPercent(c));
      row["NetIO"] = Pair(sample->net.rx, sample->net.tx);
      row["BlockIO"] = Pair(c.block_read, c.block_write);
      row["PIDs"] = std::to_string(c.pids);
      w.last = std::move(*sample);
    } else {
      w.last.reset();
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The containers to watch now: the named ones, else the running (or, with -a, all) ones.
Result<void> Refresh(const runner::ContainerStore& store, const Options& opt, std::vector<Watched>& watched) {
  if (!opt.refs.empty()) {
    if (!watched.empty()) return {};
    for (const std::string& ref : opt.refs) {
      watched.push_back(Watched{ref, BUILDER_TRY(store.Resolve(ref)), std::nullopt});
    }
    return {};
  }
  std::vector<Watched> next;
  for (const std::string& id : BUILDER_TRY(store.List())) {
    auto view = store.View(id);
    if (!view || (!opt.all && !view->state.active())) continue;
    Watched w{id.substr(0, 12), id, std::nullopt};
    for (Watched& old : watched) {
      if (old.id == id) w.last = std::move(old.last);
    }
    next.push_back(std::move(w));
  }
  watched = std::move(next);
  return {};
}

Result<void> Stats(const Options& opt) {
  runner::ContainerStore store = BUILDER_TRY(OpenContainers());
  const std::string format = opt.format.empty() ? kDefaultFormat : opt.format;
  if (format != "json") (void)BUILDER_TRY(FormatTemplate::Parse(format, kFields));
  std::vector<Watched> watched;
  BUILDER_TRY(Refresh(store, opt, watched));
  (void)Sample(store, watched, opt.no_trunc);
  const bool tty = ::isatty(1) != 0;
  for (;;) {
    // CPU % needs a second sample: half a second apart for --no-stream, a second when streaming.
    ::usleep(opt.no_stream ? 500000 : 1000000);
    BUILDER_TRY(Refresh(store, opt, watched));
    std::vector<Row> rows = Sample(store, watched, opt.no_trunc);
    std::ostringstream out;
    BUILDER_TRY(PrintRows(format, kFields, rows, kHeaders, out));
    // docker clears the screen before each frame of a stream on a terminal.
    if (!opt.no_stream && tty) std::cout << "\033[2J\033[H";
    std::cout << out.str() << std::flush;
    if (opt.no_stream) return {};
  }
}

}  // namespace

void RegisterStats(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("stats", "Display a live stream of container(s) resource usage statistics");
  static Options opt;
  cmd->add_flag("-a,--all", opt.all, "Show all containers (default shows just running)");
  cmd->add_flag("--no-stream", opt.no_stream, "Disable streaming stats and only pull the first result");
  cmd->add_flag("--no-trunc", opt.no_trunc, "Do not truncate output");
  cmd->add_option("--format", opt.format, "json, or a template: {{.Name}} {{.CPUPerc}} {{.MemUsage}} ...");
  cmd->add_option("CONTAINER", opt.refs, "Containers (name, id or id prefix)");
  cmd->callback([status] {
    auto r = Stats(opt);
    if (!r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
