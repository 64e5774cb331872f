// Build progress as BuildKit prints it: numbered vertices, plain lines or one JSON event a line.
#include "executor/build_reporter.h"

#include <cstdio>
#include <map>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/progress.h"
#include "base/terminal.h"
#include "executor/tty_reporter.h"

namespace builder::executor {
namespace {

using TimePoint = std::chrono::steady_clock::time_point;

// Which byte-progress events a line-based reporter prints: at most one a second per step, the
// first only a second after the step's progress began (so short steps print none), and the
// last state once more when the step ends if anything was printed.
class ProgressThrottle {
 public:
  struct Item {
    std::string what;
    std::uint64_t done = 0, total = 0;
    TimePoint started;
    bool printed = false;
  };

  /// The item to print now, or null when rate-limited.
  const Item* Admit(int id, std::string_view what, std::uint64_t done, std::uint64_t total,
                    TimePoint now) {
    auto [it, fresh] = steps_.try_emplace(id);
    Step& step = it->second;
    if (fresh) step.last = now;
    Item* item = nullptr;
    for (Item& i : step.items) {
      if (i.what == what) item = &i;
    }
    if (!item) item = &step.items.emplace_back(Item{std::string(what), 0, 0, now, false});
    item->done = done;
    item->total = total;
    if (now - step.last < std::chrono::seconds(1)) return nullptr;
    step.last = now;
    item->printed = true;
    return item;
  }

  /// The final state of id's printed items; forgets id.
  std::vector<Item> Close(int id) {
    std::vector<Item> out;
    auto it = steps_.find(id);
    if (it == steps_.end()) return out;
    for (Item& i : it->second.items) {
      if (i.printed) out.push_back(std::move(i));
    }
    steps_.erase(it);
    return out;
  }

 private:
  struct Step {
    TimePoint last;
    std::vector<Item> items;
  };
  std::map<int, Step> steps_;
};

ReporterClock OrSteady(ReporterClock clock) {
  if (clock) return clock;
  return [] { return std::chrono::steady_clock::now(); };
}

double Seconds(TimePoint from, TimePoint to) { return std::chrono::duration<double>(to - from).count(); }

std::string Amount(std::uint64_t done, std::uint64_t total) {
  return total ? HumanSize(done) + " / " + HumanSize(total) : HumanSize(done);
}

// Writes prefix, text and a newline. Not printf's "%s": it stops at a NUL, and build output
// may carry any byte.
void PutLine(std::FILE* out, std::string_view prefix, std::string_view text) {
  std::fwrite(prefix.data(), 1, prefix.size(), out);
  std::fwrite(text.data(), 1, text.size(), out);
  std::fputc('\n', out);
  std::fflush(out);
}

std::string StepPrefix(int id) { return "#" + std::to_string(id) + " "; }

// BuildKit's plain printer: every line carries its vertex's "#N". When steps of parallel
// stages interleave, a vertex left running gets "#N ..." and, when its lines resume, its
// header again, so each block of lines reads on its own.
class PlainReporter final : public BuildReporter {
 public:
  PlainReporter(std::FILE* out, ReporterClock clock)
      : out_(out), clock_(OrSteady(std::move(clock))), start_(clock_()) {}
  void Started(int id, std::string_view name) override {
    std::lock_guard lock(mu_);
    names_[id] = std::string(name);
    SwitchTo(id, /*header=*/false);
    Gap();
    PutLine(out_, StepPrefix(id), name);
  }
  void Output(int id, std::string_view line) override {
    std::lock_guard lock(mu_);
    SwitchTo(id, true);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%.3f ", Seconds(start_, clock_()));
    PutLine(out_, StepPrefix(id) + stamp, line);
  }
  void Done(int id, double seconds) override {
    std::lock_guard lock(mu_);
    SwitchTo(id, true);
    CloseProgress(id);
    std::fprintf(out_, "#%d DONE %.1fs\n\n", id, seconds);
    End(id);
  }
  void Cached(int id) override {
    std::lock_guard lock(mu_);
    SwitchTo(id, true);
    CloseProgress(id);
    std::fprintf(out_, "#%d CACHED\n\n", id);
    End(id);
  }
  void Errored(int id, std::string_view message) override {
    std::lock_guard lock(mu_);
    SwitchTo(id, true);
    CloseProgress(id);
    PutLine(out_, StepPrefix(id) + "ERROR: ", message);
    End(id);
    gap_ = true;
  }
  void Canceled(int id) override {
    std::lock_guard lock(mu_);
    SwitchTo(id, true);
    CloseProgress(id);
    std::fprintf(out_, "#%d CANCELED\n\n", id);
    End(id);
  }
  void Note(std::string_view text) override {
    std::lock_guard lock(mu_);
    PutLine(out_, "", text);
  }
  void Progress(int id, std::string_view what, std::uint64_t done, std::uint64_t total) override {
    std::lock_guard lock(mu_);
    TimePoint now = clock_();
    if (const auto* item = throttle_.Admit(id, what, done, total, now)) {
      SwitchTo(id, true);
      std::fprintf(out_, "#%d %s: %s %.1fs\n", id, item->what.c_str(), Amount(done, total).c_str(),
                   Seconds(item->started, now));
      std::fflush(out_);
    }
  }

 private:
  // Before a line of id: closes the block of another running vertex and, with `header`,
  // repeats id's name when its lines do not follow on from the last ones printed.
  void SwitchTo(int id, bool header) {
    if (current_ == id) return;
    if (current_ != 0) std::fprintf(out_, "#%d ...\n\n", current_);
    if (header) {
      auto it = names_.find(id);
      if (it != names_.end()) {
        Gap();
        PutLine(out_, StepPrefix(id), it->second);
      }
    }
    current_ = id;
  }
  // An ERROR block has no blank line after it (its message may run on); the next vertex
  // header brings one.
  void Gap() {
    if (gap_) std::fputc('\n', out_);
    gap_ = false;
  }
  void End(int id) {
    std::fflush(out_);
    names_.erase(id);
    current_ = 0;
  }
  void CloseProgress(int id) {
    TimePoint now = clock_();
    for (const auto& item : throttle_.Close(id)) {
      std::fprintf(out_, "#%d %s: %s done %.1fs\n", id, item.what.c_str(),
                   Amount(item.done, item.total).c_str(), Seconds(item.started, now));
    }
  }

  std::FILE* out_;
  ReporterClock clock_;
  TimePoint start_;
  ProgressThrottle throttle_;
  std::mutex mu_;
  std::map<int, std::string> names_;  // running vertices, for repeated headers
  int current_ = 0;                   // the vertex the last lines belong to, 0: none
  bool gap_ = false;                  // an ERROR ended the last block
};

class JsonReporter final : public BuildReporter {
 public:
  JsonReporter(std::FILE* out, ReporterClock clock) : out_(out), clock_(OrSteady(std::move(clock))) {}
  void Started(int id, std::string_view name) override {
    Emit({{"event", "start"}, {"id", id}, {"name", std::string(name)}});
  }
  void Output(int id, std::string_view line) override {
    Emit({{"event", "output"}, {"id", id}, {"line", std::string(line)}});
  }
  void Done(int id, double seconds) override {
    CloseProgress(id);
    Emit({{"event", "done"}, {"id", id}, {"seconds", seconds}});
  }
  void Cached(int id) override {
    CloseProgress(id);
    Emit({{"event", "cached"}, {"id", id}});
  }
  void Errored(int id, std::string_view message) override {
    CloseProgress(id);
    Emit({{"event", "error"}, {"id", id}, {"message", std::string(message)}});
  }
  void Canceled(int id) override {
    CloseProgress(id);
    Emit({{"event", "canceled"}, {"id", id}});
  }
  void Note(std::string_view text) override { Emit({{"event", "note"}, {"text", std::string(text)}}); }
  void Progress(int id, std::string_view what, std::uint64_t done, std::uint64_t total) override {
    std::lock_guard lock(mu_);
    if (const auto* item = throttle_.Admit(id, what, done, total, clock_())) EmitProgress(id, *item);
  }

 private:
  void CloseProgress(int id) {
    std::lock_guard lock(mu_);
    for (const auto& item : throttle_.Close(id)) EmitProgress(id, item);
  }
  void EmitProgress(int id, const ProgressThrottle::Item& item) {
    Emit({{"event", "progress"}, {"id", id}, {"what", item.what}, {"done", item.done}, {"total", item.total}});
  }
  // One whole line at a time: stages run on threads of their own.
  void Emit(const nlohmann::json& j) {
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::lock_guard lock(out_mu_);
    PutLine(out_, "", line);
  }
  std::FILE* out_;
  ReporterClock clock_;
  std::mutex mu_;      // throttle_; taken before out_mu_
  ProgressThrottle throttle_;
  std::mutex out_mu_;  // out_
};

class QuietReporter final : public BuildReporter {
 public:
  void Started(int, std::string_view) override {}
  void Output(int, std::string_view) override {}
  void Done(int, double) override {}
  void Cached(int) override {}
  void Errored(int, std::string_view) override {}
  void Note(std::string_view) override {}
};

}  // namespace

ReportFormat AutoReportFormat(int fd) {
  return IsInteractiveTerminal(fd) ? ReportFormat::kTty : ReportFormat::kPlain;
}

std::unique_ptr<BuildReporter> MakeBuildReporter(ReportFormat format, std::FILE* out, ReporterClock clock) {
  switch (format) {
    case ReportFormat::kJson: return std::make_unique<JsonReporter>(out, std::move(clock));
    case ReportFormat::kQuiet: return std::make_unique<QuietReporter>();
    case ReportFormat::kTty: {
      TtyReporterOptions options;
      options.clock = std::move(clock);
      return std::make_unique<TtyReporter>(out, std::move(options));
    }
    case ReportFormat::kPlain: break;
  }
  return std::make_unique<PlainReporter>(out, std::move(clock));
}

}  // namespace builder::executor
