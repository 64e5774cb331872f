// The state of a live TTY build view and its rendering as lines; no I/O, no locking.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace builder::executor {

/// Steps ("vertices") as the TTY reporter shows them, BuildKit style:
///   [+] Building 3.2s (2/4)
///    => [1/4] FROM docker.io/library/busybox:latest      0.0s
///    => [2/4] RUN make                                   1.3s
///    => => # cc -c main.c
/// Times come in as arguments so rendering is a pure function of the events and `now`.
class TtyView {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  /// Output lines kept per step: the tail shown under a running or failed step.
  static constexpr std::size_t kTailLines = 6;

  explicit TtyView(TimePoint start) : start_(start) {}

  void Started(int id, std::string_view name, TimePoint now);
  void Output(int id, std::string_view line);
  void Done(int id, double seconds);
  void Cached(int id);
  void Errored(int id, TimePoint now);
  /// Stopped because another step failed: " => CANCELED name".
  void Canceled(int id, TimePoint now);
  void Progress(int id, std::string_view what, std::uint64_t done, std::uint64_t total, TimePoint now);

  /// No step has started: there is nothing to draw.
  bool empty() const { return steps_.empty(); }
  /// Some step is still running (its timer moves).
  bool running() const;

  /// The block, one string per line (no newlines), none wider than `width` columns. Live:
  /// every step, and under running steps their byte progress and last output lines (dimmed).
  /// Final (`final`): every step, output lines only under ERROR steps, and "FINISHED" in the
  /// header when every step succeeded.
  std::vector<std::string> Render(TimePoint now, std::size_t width, bool final) const;

 private:
  enum class State { kRunning, kDone, kCached, kError, kCanceled };
  struct Bytes {
    std::string what;
    std::uint64_t done = 0, total = 0;
    TimePoint started;
  };
  struct Step {
    std::string name;
    State state = State::kRunning;
    TimePoint started;
    double seconds = 0;  // once finished
    std::deque<std::string> tail;
    std::vector<Bytes> bytes;
  };
  Step& At(int id);

  TimePoint start_;
  std::map<int, Step> steps_;
};

}  // namespace builder::executor
