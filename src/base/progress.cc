// Progress reporters: a TTY bar redrawn in place and a plain-line reporter for logs and CI.
#include "base/progress.h"

#include <cstdio>

#include "base/terminal.h"

namespace builder {

namespace {

using TimePoint = std::chrono::steady_clock::time_point;

class ReporterBase : public Progress {
 public:
  ReporterBase(std::FILE* out, Clock clock) : out_(out), clock_(std::move(clock)) {
    if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
  }
  void Start(std::string_view task, std::uint64_t total) override {
    task_ = task;
    total_ = total;
    done_ = 0;
    started_ = clock_();
    last_ = started_;
    OnStart();
  }
  void Advance(std::uint64_t done) override {
    done_ += done;
    TimePoint now = clock_();
    if (now - last_ >= interval()) {
      last_ = now;
      OnUpdate();
    }
  }
  void Finish() override { OnFinish(); }

 protected:
  virtual std::chrono::milliseconds interval() const = 0;
  virtual void OnStart() = 0;
  virtual void OnUpdate() = 0;
  virtual void OnFinish() = 0;

  std::string Amount() const {
    std::string s = HumanSize(done_);
    if (total_) s += " / " + HumanSize(total_);
    return s;
  }
  double Seconds() const { return std::chrono::duration<double>(clock_() - started_).count(); }

  std::FILE* out_;
  Clock clock_;
  std::string task_;
  std::uint64_t total_ = 0, done_ = 0;
  TimePoint started_, last_;
};

class TtyProgress final : public ReporterBase {
 public:
  using ReporterBase::ReporterBase;

 private:
  std::chrono::milliseconds interval() const override { return std::chrono::milliseconds(100); }
  void OnStart() override { Draw(); }
  void OnUpdate() override { Draw(); }
  void OnFinish() override {
    std::fprintf(out_, "\r\033[K%s done %s in %.1fs\n", task_.c_str(), HumanSize(done_).c_str(), Seconds());
    std::fflush(out_);
  }
  void Draw() {
    constexpr int kWidth = 30;
    std::string bar;
    if (total_) {
      int filled = static_cast<int>(kWidth * std::min<double>(1.0, double(done_) / double(total_)));
      bar = "[" + std::string(filled, '=') + (filled < kWidth ? ">" : "") +
            std::string(kWidth - filled - (filled < kWidth ? 1 : 0), ' ') + "] ";
    }
    std::fprintf(out_, "\r\033[K%s %s%s", task_.c_str(), bar.c_str(), Amount().c_str());
    std::fflush(out_);
  }
};

class PlainProgress final : public ReporterBase {
 public:
  using ReporterBase::ReporterBase;

 private:
  // Logs are read later, not watched: a line every few seconds is enough.
  std::chrono::milliseconds interval() const override { return std::chrono::milliseconds(5000); }
  void OnStart() override { Line("started"); }
  void OnUpdate() override { Line(Amount()); }
  void OnFinish() override {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1fs", Seconds());
    Line("done " + HumanSize(done_) + " in " + secs);
  }
  void Line(const std::string& what) {
    std::fprintf(out_, "%s: %s\n", task_.c_str(), what.c_str());
    std::fflush(out_);
  }
};

class QuietProgress final : public Progress {
 public:
  void Start(std::string_view, std::uint64_t) override {}
  void Advance(std::uint64_t) override {}
  void Finish() override {}
};

}  // namespace

bool ParseProgressMode(std::string_view name, ProgressMode* out) {
  if (name == "auto") *out = ProgressMode::kAuto;
  else if (name == "tty") *out = ProgressMode::kTty;
  else if (name == "plain") *out = ProgressMode::kPlain;
  else if (name == "quiet") *out = ProgressMode::kQuiet;
  else return false;
  return true;
}

std::unique_ptr<Progress> MakeProgress(ProgressMode mode, std::FILE* out, Progress::Clock clock) {
  if (mode == ProgressMode::kAuto) {
    mode = IsInteractiveTerminal(::fileno(out)) ? ProgressMode::kTty : ProgressMode::kPlain;
  }
  switch (mode) {
    case ProgressMode::kTty: return std::make_unique<TtyProgress>(out, std::move(clock));
    case ProgressMode::kPlain: return std::make_unique<PlainProgress>(out, std::move(clock));
    default: return std::make_unique<QuietProgress>();
  }
}

std::string HumanSize(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) v /= 1000, ++u;
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.3g %s", v, kUnits[u]);
  return buf;
}

}  // namespace builder
