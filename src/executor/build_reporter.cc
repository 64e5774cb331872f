// Build progress as BuildKit prints it: numbered vertices, plain lines or one JSON event a line.
#include "executor/build_reporter.h"

#include <chrono>

#include <nlohmann/json.hpp>

namespace builder::executor {
namespace {

class PlainReporter final : public BuildReporter {
 public:
  explicit PlainReporter(std::FILE* out) : out_(out) {}
  void Started(int id, std::string_view name) override {
    std::fprintf(out_, "#%d %.*s\n", id, static_cast<int>(name.size()), name.data());
    std::fflush(out_);
  }
  void Output(int id, std::string_view line) override {
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(out_, "#%d %.3f %.*s\n", id, t, static_cast<int>(line.size()), line.data());
    std::fflush(out_);
  }
  void Done(int id, double seconds) override {
    std::fprintf(out_, "#%d DONE %.1fs\n\n", id, seconds);
    std::fflush(out_);
  }
  void Cached(int id) override {
    std::fprintf(out_, "#%d CACHED\n\n", id);
    std::fflush(out_);
  }
  void Errored(int id, std::string_view message) override {
    std::fprintf(out_, "#%d ERROR: %.*s\n", id, static_cast<int>(message.size()), message.data());
    std::fflush(out_);
  }
  void Note(std::string_view text) override {
    std::fprintf(out_, "%.*s\n", static_cast<int>(text.size()), text.data());
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class JsonReporter final : public BuildReporter {
 public:
  explicit JsonReporter(std::FILE* out) : out_(out) {}
  void Started(int id, std::string_view name) override {
    Emit({{"event", "start"}, {"id", id}, {"name", std::string(name)}});
  }
  void Output(int id, std::string_view line) override {
    Emit({{"event", "output"}, {"id", id}, {"line", std::string(line)}});
  }
  void Done(int id, double seconds) override {
    Emit({{"event", "done"}, {"id", id}, {"seconds", seconds}});
  }
  void Cached(int id) override { Emit({{"event", "cached"}, {"id", id}}); }
  void Errored(int id, std::string_view message) override {
    Emit({{"event", "error"}, {"id", id}, {"message", std::string(message)}});
  }
  void Note(std::string_view text) override { Emit({{"event", "note"}, {"text", std::string(text)}}); }

 private:
  void Emit(const nlohmann::json& j) {
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
  }
  std::FILE* out_;
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

std::unique_ptr<BuildReporter> MakeBuildReporter(ReportFormat format, std::FILE* out) {
  switch (format) {
    case ReportFormat::kJson: return std::make_unique<JsonReporter>(out);
    case ReportFormat::kQuiet: return std::make_unique<QuietReporter>();
    case ReportFormat::kPlain: break;
  }
  return std::make_unique<PlainReporter>(out);
}

}  // namespace builder::executor
