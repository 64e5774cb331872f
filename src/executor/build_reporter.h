// Build progress as BuildKit prints it: numbered vertices, plain lines or one JSON event a line.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace builder::executor {

/// Receives the life of each step. Ids are the "#N" vertex numbers; calls come from one thread.
class BuildReporter {
 public:
  virtual ~BuildReporter() = default;
  virtual void Started(int id, std::string_view name) = 0;
  virtual void Output(int id, std::string_view line) = 0;
  virtual void Done(int id, double seconds) = 0;
  virtual void Cached(int id) = 0;
  virtual void Errored(int id, std::string_view message) = 0;
  /// A message outside any step ("naming to docker.io/library/app:1.0", warnings).
  virtual void Note(std::string_view text) = 0;
};

enum class ReportFormat { kPlain, kJson, kQuiet };

/// A reporter writing to out (not owned).
std::unique_ptr<BuildReporter> MakeBuildReporter(ReportFormat format, std::FILE* out);

}  // namespace builder::executor
