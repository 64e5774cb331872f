// The state of a live TTY build view and its rendering as lines; no I/O, no locking.
#include "executor/tty_view.h"

#include <cstdio>

#include "base/progress.h"
#include "base/terminal.h"

namespace builder::executor {
namespace {

constexpr std::string_view kDim = "\033[2m";
constexpr std::string_view kRed = "\033[31m";
constexpr std::string_view kReset = "\033[0m";

std::string Secs(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", s < 0 ? 0.0 : s);
  return buf;
}

double Between(TtyView::TimePoint from, TtyView::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

// left, then right flush with column `width`; left is cut to keep at least one space between.
std::string Align(std::string_view left, std::string_view right, std::size_t width) {
  std::size_t rcols = DisplayColumns(right);
  if (right.empty() || width < rcols + 2) return std::string(ClampColumns(left, width));
  std::string out(ClampColumns(left, width - rcols - 1));
  out.append(width - rcols - DisplayColumns(out), ' ');
  out += right;
  return out;
}

std::string Paint(std::string_view colour, std::string text) {
  return std::string(colour) + text + std::string(kReset);
}

}  // namespace

TtyView::Step& TtyView::At(int id) { return steps_[id]; }

void TtyView::Started(int id, std::string_view name, TimePoint now) {
  Step& s = At(id);
  s.name = SanitizeLine(name);
  s.state = State::kRunning;
  s.started = now;
}

void TtyView::Output(int id, std::string_view line) {
  // A terminal shows what follows the last carriage return (progress bars redraw that way).
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (auto cr = line.rfind('\r'); cr != std::string_view::npos) line.remove_prefix(cr + 1);
  Step& s = At(id);
  s.tail.push_back(SanitizeLine(line));
  if (s.tail.size() > kTailLines) s.tail.pop_front();
}

void TtyView::Done(int id, double seconds) {
  Step& s = At(id);
  s.state = State::kDone;
  s.seconds = seconds;
}

void TtyView::Cached(int id) {
  Step& s = At(id);
  s.state = State::kCached;
  s.seconds = 0;
}

void TtyView::Errored(int id, TimePoint now) {
  Step& s = At(id);
  s.state = State::kError;
  s.seconds = Between(s.started, now);
}

void TtyView::Canceled(int id, TimePoint now) {
  Step& s = At(id);
  s.state = State::kCanceled;
  s.seconds = Between(s.started, now);
}

void TtyView::Progress(int id, std::string_view what, std::uint64_t done, std::uint64_t total,
                       TimePoint now) {
  Step& s = At(id);
  for (Bytes& b : s.bytes) {
    if (b.what == what) {
      b.done = done;
      b.total = total;
      return;
    }
  }
  s.bytes.push_back(Bytes{SanitizeLine(what), done, total, now});
}

bool TtyView::running() const {
  for (const auto& [id, s] : steps_) {
    if (s.state == State::kRunning) return true;
  }
  return false;
}

std::vector<std::string> TtyView::Render(TimePoint now, std::size_t width, bool final) const {
  std::size_t complete = 0;
  bool failed = false;
  for (const auto& [id, s] : steps_) {
    complete += s.state == State::kDone || s.state == State::kCached;
    failed |= s.state == State::kError;
  }
  char header[96];
  std::snprintf(header, sizeof header, "[+] Building %.1fs (%zu/%zu)%s", Between(start_, now), complete,
                steps_.size(), final && !failed && complete == steps_.size() ? " FINISHED" : "");
  std::vector<std::string> lines{std::string(ClampColumns(header, width))};
  for (const auto& [id, s] : steps_) {
    switch (s.state) {
      case State::kRunning: lines.push_back(Align(" => " + s.name, Secs(Between(s.started, now)), width)); break;
      case State::kDone: lines.push_back(Align(" => " + s.name, Secs(s.seconds), width)); break;
      case State::kCached: lines.push_back(Align(" => CACHED " + s.name, Secs(0), width)); break;
      case State::kError:
        lines.push_back(Paint(kRed, Align(" => ERROR " + s.name, Secs(s.seconds), width)));
        break;
      case State::kCanceled:
        lines.push_back(Paint(kRed, Align(" => CANCELED " + s.name, Secs(s.seconds), width)));
        break;
    }
    bool live = s.state == State::kRunning && !final;
    if (live) {
      for (const Bytes& b : s.bytes) {
        std::string amount = b.total ? HumanSize(b.done) + " / " + HumanSize(b.total) : HumanSize(b.done);
        lines.push_back(Align(" => => " + b.what + " " + amount, Secs(Between(b.started, now)), width));
      }
    }
    if (live || s.state == State::kError) {
      for (const std::string& line : s.tail) lines.push_back(Paint(kDim, Align(" => => # " + line, "", width)));
    }
  }
  return lines;
}

}  // namespace builder::executor
