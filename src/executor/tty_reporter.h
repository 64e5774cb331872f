// The live TTY build reporter: a block redrawn in place at the bottom of the terminal.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <thread>

#include "executor/build_reporter.h"
#include "executor/tty_view.h"

namespace builder::executor {

struct TtyReporterOptions {
  ReporterClock clock;               ///< default: steady_clock
  std::function<int()> width;        ///< columns; default: the terminal's on out, else 80
  std::function<int()> height;       ///< rows, 0 when unknown; default: the terminal's on out
  std::chrono::milliseconds interval{100};  ///< redraw period of the ticker
  bool ticker = true;                ///< false: only Tick() redraws (tests)
};

/// Draws TtyView (tty_view.h) to out (not owned): events update the state, a ticker thread
/// redraws at most every `interval` (so a silent step's timer still moves), moving the cursor
/// back over the previous block. Notes print above the block. Finish() (or the destructor)
/// stops the ticker and prints the final block once, in full. One mutex guards the view and
/// out, so events may come from any thread. Nothing is drawn before the first step starts.
class TtyReporter final : public BuildReporter {
 public:
  TtyReporter(std::FILE* out, TtyReporterOptions options = {});
  ~TtyReporter() override;
  TtyReporter(const TtyReporter&) = delete;
  TtyReporter& operator=(const TtyReporter&) = delete;

  void Started(int id, std::string_view name) override;
  void Output(int id, std::string_view line) override;
  void Done(int id, double seconds) override;
  void Cached(int id) override;
  void Errored(int id, std::string_view message) override;
  void Canceled(int id) override;
  void Note(std::string_view text) override;
  void Progress(int id, std::string_view what, std::uint64_t done, std::uint64_t total) override;
  void Finish() override;

  /// Redraws the live block now when something changed or a step runs (the ticker's work).
  void Tick();

 private:
  void TickerLoop();
  void DrawLocked(bool final);
  std::string EraseLocked() const;

  std::FILE* out_;
  TtyReporterOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  TtyView view_;
  std::size_t drawn_lines_ = 0;  // height of the live block on screen
  bool dirty_ = false;
  bool stopping_ = false;
  bool finished_ = false;
  std::thread ticker_;  // last: starts once everything above is ready
};

}  // namespace builder::executor
