// Build progress as BuildKit prints it: numbered vertices, plain lines or one JSON event a line.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace builder::executor {

/// Time source of reporters; tests inject a fake one.
using ReporterClock = std::function<std::chrono::steady_clock::time_point()>;

/// Receives the life of each step. Ids are the "#N" vertex numbers. Stages of a build run on
/// threads of their own: every reporter MakeBuildReporter makes serializes its calls.
class BuildReporter {
 public:
  virtual ~BuildReporter() = default;
  virtual void Started(int id, std::string_view name) = 0;
  virtual void Output(int id, std::string_view line) = 0;
  virtual void Done(int id, double seconds) = 0;
  virtual void Cached(int id) = 0;
  virtual void Errored(int id, std::string_view message) = 0;
  /// Step id was stopped because another step failed (BuildKit's "#N CANCELED").
  virtual void Canceled(int id) { Errored(id, "CANCELED"); }
  /// A message outside any step ("naming to docker.io/library/app:1.0", warnings).
  virtual void Note(std::string_view text) = 0;
  /// Bytes done so far of a long part of step id ("hashing context", "exporting layer");
  /// total is 0 when unknown. Called per buffer: reporters rate-limit what they print.
  virtual void Progress(int /*id*/, std::string_view /*what*/, std::uint64_t /*done*/,
                        std::uint64_t /*total*/) {}
  /// Ends the report: a live view prints its final state once and stops redrawing. Call it
  /// before writing anything else to the same terminal; idempotent.
  virtual void Finish() {}
};

enum class ReportFormat { kPlain, kJson, kQuiet, kTty };

/// `--progress auto`: kTty when fd is a terminal someone watches (base/terminal.h
/// IsInteractiveTerminal: a tty, $CI empty, $TERM not dumb), kPlain otherwise.
ReportFormat AutoReportFormat(int fd);

/// A reporter writing to out (not owned). `clock` (default steady_clock) times the output and
/// the rate limits. kTty draws even when out is no terminal (80 columns then).
std::unique_ptr<BuildReporter> MakeBuildReporter(ReportFormat format, std::FILE* out,
                                                 ReporterClock clock = {});

}  // namespace builder::executor
