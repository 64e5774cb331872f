// ContainerFreeze: cgroup.freeze (v2) or freezer.state (v1) of the container's own cgroup.
#include "runner/container_freeze.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/path.h"
#include "base/unique_fd.h"
#include "runner/process_identity.h"
#include "sandbox/cgroup.h"

namespace builder::runner {
namespace {

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// Cgroup control files take one write of the whole value (no temp file, no truncation).
Result<void> WriteValue(const std::string& path, const std::string& value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return FailErrno("open " + path, errno);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return FailErrno("write " + value + " to " + path, errno);
  }
  return {};
}

// Both freezers work asynchronously: `file` reads `done` once every task has stopped.
Result<void> WaitFor(const std::string& file, std::string_view done) {
  for (int i = 0; i < 500; ++i) {
    auto now = ReadFile(file);
    if (now && now->find(done) != std::string::npos) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Fail(ErrorCode::kIo, "the container did not freeze within 5s (" + file + ")");
}

}  // namespace

ContainerFreeze::~ContainerFreeze() {
  for (const std::string& file : thaw_) {
    (void)WriteValue(file, file.ends_with("freezer.state") ? "THAWED" : "0");
  }
}

Result<ContainerFreeze> ContainerFreeze::Freeze(const ContainerStore& store, const std::string& id) {
  ContainerFreeze hold;
  ContainerView view = BUILDER_TRY(store.View(id));
  if (!view.state.active() || !view.monitor_alive || view.state.pid <= 0 ||
      !ProcessAlive(view.state.pid, view.state.pid_start)) {
    return hold;
  }
  auto cgroup = sandbox::Cgroup::OfProcess(view.state.pid);
  if (!cgroup || !cgroup->name().ends_with(id)) return hold;
  // A hybrid host has both freezers; v2's cannot freeze tasks that v1's hierarchy holds, so
  // v1's is used wherever it is mounted.
  std::string v1, v2;
  for (const std::string& dir : cgroup->dirs()) {
    if (Exists(dir + "/freezer.state")) v1 = dir + "/freezer.state";
    if (Exists(dir + "/cgroup.freeze")) v2 = dir + "/cgroup.freeze";
  }
  if (!v1.empty()) {
    auto now = ReadFile(v1);
    if (now && !now->starts_with("THAWED")) return hold;  // paused already: stays so
    BUILDER_TRY(WriteValue(v1, "FROZEN"));
    hold.thaw_.push_back(v1);
    BUILDER_TRY(WaitFor(v1, "FROZEN"));
  } else if (!v2.empty()) {
    auto now = ReadFile(v2);
    if (now && now->starts_with("1")) return hold;
    BUILDER_TRY(WriteValue(v2, "1"));
    hold.thaw_.push_back(v2);
    BUILDER_TRY(WaitFor(DirName(v2) + "/cgroup.events", "frozen 1"));
  }
  return hold;
}

}  // namespace builder::runner
