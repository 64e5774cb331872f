// `builder ps [-a] [-q] [--no-trunc] [-f status=|name=|label=] [--format json|TEMPLATE]`:
// containers as docker lists them, read from their state files (no daemon to ask).
#include <ctime>
#include <iostream>
#include <map>

#include "base/path.h"
#include "commands.h"
#include "format_template.h"
#include "human.h"
#include "table.h"
#include "runner/networks.h"

namespace builder::cli {
namespace {

using Row = std::map<std::string, std::string>;

const std::vector<std::string> kFields = {"ID", "Image", "Command", "CreatedAt", "RunningFor",
                                          "Status", "State", "Ports", "Names", "Labels", "Size", "Mounts"};
const std::map<std::string, std::string> kHeaders = {
    {"ID", "CONTAINER ID"}, {"Image", "IMAGE"},   {"Command", "COMMAND"}, {"CreatedAt", "CREATED AT"},
    {"RunningFor", "CREATED"}, {"Status", "STATUS"}, {"State", "STATE"},  {"Ports", "PORTS"},
    {"Names", "NAMES"},     {"Labels", "LABELS"}, {"Size", "SIZE"},      {"Mounts", "MOUNTS"}};

struct Options {
  bool all = false, quiet = false, no_trunc = false;
  std::vector<std::string> filters;
  std::string format;
};

std::string Since(const std::string& stamp, std::time_t now) {
  auto t = ParseRfc3339(stamp);
  return t ? HumanDuration(now - *t) : "";
}

std::string StatusText(const runner::ContainerView& v, std::time_t now) {
  const runner::ContainerState& s = v.state;
  switch (s.status) {
    case runner::Status::kCreated:
      return "Created";
    case runner::Status::kRunning: {
      std::string out = "Up " + Since(s.started_at, now);
      if (!s.health.empty()) out += " (" + std::string(s.health == "starting" ? "health: starting" : s.health) + ")";
      return out;
    }
    case runner::Status::kPaused:
      return "Up " + Since(s.started_at, now) + " (Paused)";
    case runner::Status::kRestarting:
      return "Restarting (" + std::to_string(s.exit_code) + ") " + Since(s.finished_at, now) + " ago";
    case runner::Status::kExited:
      if (s.finished_at.empty()) return "Exited (" + std::to_string(s.exit_code) + ")";
      return "Exited (" + std::to_string(s.exit_code) + ") " + Since(s.finished_at, now) + " ago";
    case runner::Status::kDead:
      return "Dead";
    case runner::Status::kRemoving:
      return "Removal In Progress";
  }
  return "";
}

std::string Command(const runner::ContainerSpec& spec, bool no_trunc) {
  std::string cmd;
  for (const std::string& a : spec.Argv()) cmd += (cmd.empty() ? "" : " ") + a;
  return "\"" + (no_trunc ? cmd : Ellipsis(cmd, 20)) + "\"";
}

bool Matches(const runner::ContainerView& v, const std::string& filter) {
  std::size_t eq = filter.find('=');
  std::string key = filter.substr(0, eq);
  std::string value = eq == std::string::npos ? "" : filter.substr(eq + 1);
  if (key == "status") return runner::StatusName(v.state.status) == value;
  if (key == "name") return v.spec.name.find(value) != std::string::npos;
  if (key == "id") return v.spec.id.starts_with(value);
  if (key == "label") {
    std::size_t leq = value.find('=');
    auto it = v.spec.labels.find(value.substr(0, leq));
    return it != v.spec.labels.end() && (leq == std::string::npos || it->second == value.substr(leq + 1));
  }
  if (key == "exited") return v.state.status == runner::Status::kExited && std::to_string(v.state.exit_code) == value;
  return false;
}

// docker's PORTS column: "0.0.0.0:8080->80/tcp, 127.0.0.1:9000->9000/udp" for what a running
// container publishes (its live leases; a stopped container publishes nothing).
std::map<std::string, std::string> PortsColumn(const runner::ContainerStore& store) {
  std::map<std::string, std::string> out;
  auto nets = runner::Networks::Open(DirName(store.dir()));
  if (!nets) return out;
  auto all = nets->AllEndpoints();
  if (!all) return out;
  for (const auto& [id, endpoints] : *all) {
    std::string& column = out[id];
    for (const runner::Endpoint& e : endpoints) {
      for (const runner::PortMapping& p : e.lease.ports) column += (column.empty() ? "" : ", ") + p.ToString();
    }
  }
  return out;
}

Result<void> List(const Options& opt) {
  runner::ContainerStore store = BUILDER_TRY(OpenContainers());
  const std::map<std::string, std::string> ports = PortsColumn(store);
  for (const std::string& f : opt.filters) {
    std::string key = f.substr(0, f.find('='));
    if (key != "status" && key != "name" && key != "id" && key != "label" && key != "exited") {
      return Fail(ErrorCode::kInvalidArgument, "invalid filter '" + key + "'");
    }
  }
  const std::time_t now = std::time(nullptr);
  std::vector<Row> rows;
  for (const std::string& id : BUILDER_TRY(store.List())) {
    auto v = store.View(id);
    if (!v) continue;  // removed meanwhile
    bool running = v->state.active();
    bool filtered = !opt.filters.empty();
    if (!opt.all && !filtered && !running) continue;
    bool ok = true;
    for (const std::string& f : opt.filters) ok = ok && Matches(*v, f);
    if (!ok) continue;
    std::string labels;
    for (const auto& [k, val] : v->spec.labels) labels += (labels.empty() ? "" : ",") + k + "=" + val;
    std::string mounts;
    for (const auto& m : v->spec.mounts) mounts += (mounts.empty() ? "" : ",") + (m.source.empty() ? m.destination : m.source);
    rows.push_back(Row{{"ID", opt.no_trunc ? id : id.substr(0, 12)},
                       {"Image", v->spec.image},
                       {"Command", Command(v->spec, opt.no_trunc)},
                       {"CreatedAt", GoTimeString(v->spec.created)},
                       {"RunningFor", CreatedSince(v->spec.created, now)},
                       {"Status", StatusText(*v, now)},
                       {"State", runner::StatusName(v->state.status)},
                       {"Ports", running && ports.contains(id) ? ports.at(id) : ""},
                       {"Names", v->spec.name},
                       {"Labels", labels},
                       {"Size", ""},
                       {"Mounts", mounts}});
  }
  std::string format = opt.format;
  if (opt.quiet && format != "json") {
    format = "{{.ID}}";
  } else if (format.empty()) {
    format = "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}";
  }
  return PrintRows(format, kFields, rows, kHeaders, std::cout);
}

}  // namespace

void RegisterPs(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("ps", "List containers");
  static Options opt;
  cmd->add_flag("-a,--all", opt.all, "Show all containers (default shows just running)");
  cmd->add_flag("-q,--quiet", opt.quiet, "Only display container IDs");
  cmd->add_flag("--no-trunc", opt.no_trunc, "Don't truncate output");
  cmd->add_option("-f,--filter", opt.filters, "Filter output (status=, name=, id=, label=, exited=)")->allow_extra_args(false);
  cmd->add_option("--format", opt.format, "json, or a template: {{.ID}} {{.Image}} {{.Status}} {{.Names}} ...");
  cmd->callback([status] {
    auto r = List(opt);
    if (!r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
