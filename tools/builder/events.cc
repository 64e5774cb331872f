// `builder events [--since T] [--until T] [-f KEY=VALUE]... [--format json|TEMPLATE]`: container,
// network and volume events from the store's journal, in docker's line format; follows new ones until
// interrupted or until --until passes.
#include <time.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <optional>

#include "commands.h"
#include "format_template.h"
#include "human.h"
#include "runner/event_log.h"

namespace builder::cli {
namespace {

struct Options {
  std::string since, until, format;
  std::vector<std::string> filters;
};

const std::vector<std::string> kFields = {"Type", "Action", "Status", "ID", "From", "Scope", "Time", "TimeNano"};

std::int64_t NowNano() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// docker's filters: values of one key are alternatives, different keys must all match.
class EventFilter {
 public:
  static Result<EventFilter> Parse(const std::vector<std::string>& specs) {
    EventFilter f;
    for (const std::string& spec : specs) {
      const std::size_t eq = spec.find('=');
      const std::string key = spec.substr(0, eq);
      if (eq == std::string::npos || (key != "container" && key != "event" && key != "type" &&
                                      key != "image" && key != "label" && key != "network" &&
                                      key != "volume")) {
        return Fail(ErrorCode::kInvalidArgument,
                    "invalid filter '" + spec +
                        "' (container=, event=, type=, image=, label=, network=, volume=)");
      }
      f.wanted_[key].push_back(spec.substr(eq + 1));
    }
    return f;
  }

  bool Matches(const runner::Event& e) const {
    for (const auto& [key, values] : wanted_) {
      bool any = false;
      for (const std::string& v : values) any = any || MatchOne(e, key, v);
      if (!any) return false;
    }
    return true;
  }

 private:
  static std::string Attr(const runner::Event& e, const std::string& key) {
    auto it = e.attributes.find(key);
    return it == e.attributes.end() ? "" : it->second;
  }
  static bool MatchOne(const runner::Event& e, const std::string& key, const std::string& v) {
    // A network event's container is an attribute; its actor is the network.
    if (key == "container") {
      if (e.type == "network") return !v.empty() && Attr(e, "container").starts_with(v);
      return e.type == "container" && ((!v.empty() && e.id.starts_with(v)) || Attr(e, "name") == v);
    }
    if (key == "network" || key == "volume") {
      return e.type == key && ((!v.empty() && e.id.starts_with(v)) || Attr(e, "name") == v);
    }
    if (key == "event") return e.action == v || e.action.substr(0, e.action.find(':')) == v;
    if (key == "type") return e.type == v;
    if (key == "image") return Attr(e, "image") == v;
    const std::size_t eq = v.find('=');  // label=KEY or label=KEY=VALUE
    auto it = e.attributes.find(v.substr(0, eq));
    return it != e.attributes.end() && (eq == std::string::npos || it->second == v.substr(eq + 1));
  }

  std::map<std::string, std::vector<std::string>> wanted_;
};

class Printer {
 public:
  static Result<Printer> Make(const std::string& format) {
    Printer p;
    p.json_ = format == "json" || format == "{{json .}}";
    if (!format.empty() && !p.json_) p.tmpl_ = BUILDER_TRY(FormatTemplate::Parse(format, kFields));
    return p;
  }
  void Print(const runner::Event& e) const {
    if (json_) {
      std::cout << e.ToJson() << '\n';
    } else if (tmpl_) {
      std::cout << tmpl_->Render({{"Type", e.type},
                                  {"Action", e.action},
                                  {"Status", e.action},
                                  {"ID", e.id},
                                  {"From", e.attributes.contains("image") ? e.attributes.at("image") : ""},
                                  {"Scope", "local"},
                                  {"Time", std::to_string(e.time_nano / 1000000000)},
                                  {"TimeNano", std::to_string(e.time_nano)}})
                << '\n';
    } else {
      std::cout << e.ToLine() << '\n';
    }
    std::cout.flush();
  }

 private:
  bool json_ = false;
  std::optional<FormatTemplate> tmpl_;
};

Result<void> Events(const Options& opt) {
  oci::ImageStore store = BUILDER_TRY(OpenStore());
  std::optional<std::int64_t> since, until;
  if (!opt.since.empty()) since = BUILDER_TRY(ParseTimeFlag("--since", opt.since));
  if (!opt.until.empty()) until = BUILDER_TRY(ParseTimeFlag("--until", opt.until));
  const EventFilter filter = BUILDER_TRY(EventFilter::Parse(opt.filters));
  const Printer printer = BUILDER_TRY(Printer::Make(opt.format));
  const runner::EventLog log(store.root());
  auto show = [&](const runner::Event& e) {
    if (since && e.time_nano < *since) return;
    if (until && e.time_nano > *until) return;
    if (filter.Matches(e)) printer.Print(e);
  };
  // Past events only when a window asks for them (docker streams from now otherwise).
  const bool replay = since.has_value() || until.has_value();
  // The rotated generation first; the live file then from its start, through the tail.
  if (replay) {
    for (const runner::Event& e : BUILDER_TRY(log.ReadRotated())) show(e);
  }
  runner::EventTail tail = BUILDER_TRY(runner::EventTail::Open(log, replay));
  for (;;) {
    for (const runner::Event& e : BUILDER_TRY(tail.Poll())) show(e);
    if (until && NowNano() > *until) return {};
    ::usleep(100000);
  }
}

}  // namespace

void RegisterEvents(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("events", "Get real time events of containers, networks and volumes");
  static Options opt;
  cmd->add_option("--since", opt.since, "Show all events created since timestamp (Unix time, RFC 3339 or a duration ago)");
  cmd->add_option("--until", opt.until, "Stream events until this timestamp");
  cmd->add_option("-f,--filter", opt.filters, "Filter output (container=, event=, type=, image=, label=, network=, volume=)")
      ->allow_extra_args(false);
  cmd->add_option("--format", opt.format, "json, or a template: {{.Type}} {{.Action}} {{.ID}} ...");
  cmd->callback([status] {
    auto r = Events(opt);
    if (!r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli
