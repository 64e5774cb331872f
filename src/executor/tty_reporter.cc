// The live TTY build reporter: a block redrawn in place at the bottom of the terminal.
#include "executor/tty_reporter.h"

#include <algorithm>
#include <string>
#include <vector>

#include "base/terminal.h"

namespace builder::executor {

namespace {

TtyReporterOptions WithDefaults(std::FILE* out, TtyReporterOptions options) {
  if (!options.clock) options.clock = [] { return std::chrono::steady_clock::now(); };
  int fd = ::fileno(out);
  if (!options.width) options.width = [fd] { return TerminalWidth(fd); };
  if (!options.height) options.height = [fd] { return TerminalHeight(fd); };
  return options;
}

}  // namespace

TtyReporter::TtyReporter(std::FILE* out, TtyReporterOptions options)
    : out_(out), options_(WithDefaults(out, std::move(options))), view_(options_.clock()) {
  if (options_.ticker) ticker_ = std::thread([this] { TickerLoop(); });
}

TtyReporter::~TtyReporter() { Finish(); }

void TtyReporter::Started(int id, std::string_view name) {
  std::lock_guard lock(mu_);
  view_.Started(id, name, options_.clock());
  dirty_ = true;
}

void TtyReporter::Output(int id, std::string_view line) {
  std::lock_guard lock(mu_);
  view_.Output(id, line);
  dirty_ = true;
}

void TtyReporter::Done(int id, double seconds) {
  std::lock_guard lock(mu_);
  view_.Done(id, seconds);
  dirty_ = true;
}

void TtyReporter::Cached(int id) {
  std::lock_guard lock(mu_);
  view_.Cached(id);
  dirty_ = true;
}

void TtyReporter::Errored(int id, std::string_view /*message*/) {
  // The message reaches the user as the command's error; the block keeps the step's output.
  std::lock_guard lock(mu_);
  view_.Errored(id, options_.clock());
  dirty_ = true;
}

void TtyReporter::Canceled(int id) {
  std::lock_guard lock(mu_);
  view_.Canceled(id, options_.clock());
  dirty_ = true;
}

void TtyReporter::Progress(int id, std::string_view what, std::uint64_t done, std::uint64_t total) {
  std::lock_guard lock(mu_);
  view_.Progress(id, what, done, total, options_.clock());
  dirty_ = true;
}

void TtyReporter::Note(std::string_view text) {
  std::lock_guard lock(mu_);
  std::string buf = EraseLocked();
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t nl = std::min(text.find('\n', at), text.size());
    buf += SanitizeLine(text.substr(at, nl - at));
    buf += '\n';
    at = nl + 1;
  }
  std::fwrite(buf.data(), 1, buf.size(), out_);
  std::fflush(out_);
  drawn_lines_ = 0;
  dirty_ = true;
}

void TtyReporter::Tick() {
  std::lock_guard lock(mu_);
  if (finished_ || view_.empty() || !(dirty_ || view_.running())) return;
  DrawLocked(false);
}

void TtyReporter::Finish() {
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard lock(mu_);
  finished_ = true;
  if (!view_.empty()) DrawLocked(true);
}

void TtyReporter::TickerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
    if (stopping_) break;
    if (view_.empty() || !(dirty_ || view_.running())) continue;
    DrawLocked(false);
  }
}

// Back to the first line of the live block and clear from there down.
std::string TtyReporter::EraseLocked() const {
  if (drawn_lines_ == 0) return {};
  return "\033[" + std::to_string(drawn_lines_) + "A\r\033[J";
}

void TtyReporter::DrawLocked(bool final) {
  int w = options_.width();
  std::size_t width = w > 0 ? static_cast<std::size_t>(w) : 80;
  std::vector<std::string> lines = view_.Render(options_.clock(), width, final);
  std::string buf;
  if (final) {
    // Printed once and left alone: every line, however tall the block.
    buf = EraseLocked();
    for (const auto& line : lines) buf += line + "\n";
    drawn_lines_ = 0;
  } else {
    // The cursor cannot move above the screen's top: keep the header and the newest lines.
    int h = options_.height();
    if (h > 2 && lines.size() > static_cast<std::size_t>(h - 1)) {
      lines.erase(lines.begin() + 1, lines.end() - (h - 2));
    }
    if (drawn_lines_ > 0) buf = "\033[" + std::to_string(drawn_lines_) + "A";
    buf += '\r';
    // Each line cleared before it is written: no blank flash between two frames.
    for (const auto& line : lines) buf += "\033[K" + line + "\n";
    buf += "\033[J";
    drawn_lines_ = lines.size();
  }
  dirty_ = false;
  std::fwrite(buf.data(), 1, buf.size(), out_);
  std::fflush(out_);
}

}  // namespace builder::executor
