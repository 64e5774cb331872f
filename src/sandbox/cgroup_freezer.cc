// SetFrozen / IsFrozen over v1 freezer.state and v2 cgroup.freeze + cgroup.events.
#include "sandbox/cgroup_freezer.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/path.h"
#include "base/unique_fd.h"

namespace builder::sandbox {
namespace {

Result<void> Write(const std::string& path, std::string_view value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return FailErrno("open " + path, errno);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return FailErrno("write " + std::string(value) + " to " + path, errno);
  }
  return {};
}

std::string Trimmed(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return "";
  std::string s = *text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool V2Frozen(const std::string& dir) {
  auto events = ReadFile(dir + "/cgroup.events");
  return events && events->find("frozen 1") != std::string::npos;
}

bool HasV2Freeze(const Cgroup& cg) {
  return !cg.v2_dir().empty() && ::access((cg.v2_dir() + "/cgroup.freeze").c_str(), W_OK) == 0;
}

std::int64_t NowMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

bool IsFrozen(const Cgroup& cg) {
  if (!cg.freezer_dir().empty()) {
    const std::string state = Trimmed(cg.freezer_dir() + "/freezer.state");
    if (state == "FROZEN" || state == "FREEZING") return true;
  }
  return HasV2Freeze(cg) && (Trimmed(cg.v2_dir() + "/cgroup.freeze") == "1" || V2Frozen(cg.v2_dir()));
}

Result<void> SetFrozen(const Cgroup& cg, bool frozen, int timeout_ms) {
  const bool v1 = !cg.freezer_dir().empty();
  const bool v2 = HasV2Freeze(cg);
  if (!v1 && !v2) return Fail(ErrorCode::kUnsupported, "no cgroup freezer for cgroup " + cg.name());
  const std::int64_t deadline = NowMs() + timeout_ms;
  if (v1) {
    const std::string file = cg.freezer_dir() + "/freezer.state";
    const char* want = frozen ? "FROZEN" : "THAWED";
    for (;;) {
      // A freeze can stall in FREEZING while a task is in an uninterruptible sleep: writing
      // FROZEN again retries it (runc does the same).
      BUILDER_TRY(Write(file, want));
      if (Trimmed(file) == want) break;
      if (NowMs() > deadline) {
        if (frozen) (void)Write(file, "THAWED");  // never leave it half frozen
        return Fail(ErrorCode::kCancelled, "cgroup " + cg.name() + " did not reach " + want);
      }
      ::usleep(1000);
    }
    if (frozen) return {};
  }
  // With v1's freezer the v2 tree is only thawed, and only when something froze it.
  if (!v2 || (v1 && Trimmed(cg.v2_dir() + "/cgroup.freeze") != "1")) return {};
  BUILDER_TRY(Write(cg.v2_dir() + "/cgroup.freeze", frozen ? "1" : "0"));
  while (V2Frozen(cg.v2_dir()) != frozen) {
    if (NowMs() > deadline) {
      if (frozen) (void)Write(cg.v2_dir() + "/cgroup.freeze", "0");
      return Fail(ErrorCode::kCancelled, std::string("cgroup ") + cg.name() + " did not " +
                                             (frozen ? "freeze" : "thaw"));
    }
    ::usleep(1000);
  }
  return {};
}

}  // namespace builder::sandbox
