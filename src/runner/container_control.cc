// Signals, stop, wait and removal.
#include "runner/container_control.h"

#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <charconv>

#include "base/file_lock.h"
#include "base/path.h"
#include "runner/clock.h"
#include "runner/networks.h"
#include "runner/process_identity.h"
#include "runner/volume_store.h"

namespace builder::runner {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<int> ParseSignal(std::string_view text) {
  int n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && p == text.data() + text.size() && n > 0 && n < NSIG) return n;
  std::string name = Upper(text);
  if (name.starts_with("SIG")) name.erase(0, 3);
  if (name.starts_with("RTMIN") || name.starts_with("RTMAX")) {
    int base = name.starts_with("RTMIN") ? SIGRTMIN : SIGRTMAX;
    std::string rest = name.substr(5);
    int off = 0;
    if (!rest.empty()) {
      auto [q, e2] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), off);
      if (e2 != std::errc() || q != rest.data() + rest.size() || (rest[0] != '+' && rest[0] != '-'))
        return Fail(ErrorCode::kInvalidArgument, "invalid signal: " + std::string(text));
      if (rest[0] == '-') off = -off;
    }
    int sig = base + off;
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) return sig;
  }
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    if (abbrev != nullptr && name == abbrev) return sig;
  }
  return Fail(ErrorCode::kInvalidArgument, "invalid signal: " + std::string(text));
}

Result<void> KillContainer(const ContainerStore& store, const std::string& id, int sig) {
  ContainerView view = BUILDER_TRY(store.View(id));
  if (view.state.status != Status::kRunning ||
      !SignalProcess(view.state.pid, view.state.pid_start, sig)) {
    return Fail(ErrorCode::kInvalidArgument, "container " + id + " is not running");
  }
  return {};
}

Result<void> StopContainer(const ContainerStore& store, const std::string& id,
                           std::optional<int> timeout_s) {
  ContainerSpec spec = BUILDER_TRY(store.LoadSpec(id));
  int sig = SIGTERM;
  if (!spec.stop_signal.empty()) sig = BUILDER_TRY(ParseSignal(spec.stop_signal));
  int timeout = timeout_s.value_or(spec.stop_timeout.value_or(10));
  BUILDER_TRY(store.UpdateState(id, [](ContainerState& s) { s.stop_requested = true; }));
  ContainerView view = BUILDER_TRY(store.View(id));
  if (!view.state.active()) return {};
  if (view.state.status == Status::kRunning) SignalProcess(view.state.pid, view.state.pid_start, sig);
  if (timeout < 0) timeout = 0;
  auto waited = WaitContainer(store, id, timeout * 1000);
  if (waited || waited.error().code() != ErrorCode::kCancelled) return {};
  view = BUILDER_TRY(store.View(id));
  if (view.state.status == Status::kRunning) {
    SignalProcess(view.state.pid, view.state.pid_start, SIGKILL);
  }
  (void)BUILDER_TRY(WaitContainer(store, id));
  return {};
}

Result<int> WaitContainer(const ContainerStore& store, const std::string& id, int timeout_ms) {
  const std::int64_t deadline = MonotonicMs() + timeout_ms;
  int last_code = 0;
  for (;;) {
    auto view = store.View(id);
    if (!view) {
      // Removed meanwhile (--rm): the last code seen is the answer.
      if (view.error().code() == ErrorCode::kNotFound) return last_code;
      return Fail(std::move(view.error()));
    }
    last_code = view->state.exit_code;
    const Status s = view->state.status;
    if (s == Status::kExited || s == Status::kDead) return view->state.exit_code;
    if (s == Status::kCreated && !view->monitor_alive && !view->state.error.empty()) {
      return view->state.exit_code;  // a start that failed
    }
    if (timeout_ms >= 0 && MonotonicMs() >= deadline) {
      return Fail(ErrorCode::kCancelled, "timed out waiting for container " + id);
    }
    ::usleep(20000);
  }
}

Result<void> RemoveContainer(const ContainerStore& store, const std::string& id, bool force,
                             bool remove_volumes) {
  ContainerView view = BUILDER_TRY(store.View(id));
  // An exited container's monitor may still be finishing (a foreground `run` returns once the
  // exit is recorded): `rm` right after it waits that out rather than refuse.
  for (const std::int64_t deadline = MonotonicMs() + 5000;
       !force && view.monitor_alive && !view.state.active() && MonotonicMs() < deadline;) {
    ::usleep(20000);
    view = BUILDER_TRY(store.View(id));
  }
  if (view.monitor_alive || view.state.active()) {
    if (!force) {
      return Fail(ErrorCode::kInvalidArgument,
                  "cannot remove container \"/" + view.spec.name + "\": container is " +
                      StatusName(view.state.status) +
                      ": stop the container before removing or force remove");
    }
    (void)store.UpdateState(id, [](ContainerState& s) { s.stop_requested = true; });
    // The monitor first: its death takes the container's init with it (parent-death signal).
    // Its lock goes with it: once we hold the lock, nothing runs in the container. A monitor
    // that has not recorded its pid yet is seen on a later round.
    const std::int64_t deadline = MonotonicMs() + 10000;
    for (;;) {
      auto gone = FileLock::TryAcquire(store.MonitorLockPath(id), FileLock::Mode::kExclusive);
      ContainerState now = BUILDER_TRY(store.LoadState(id));
      if (gone) {
        while (ProcessAlive(now.pid, now.pid_start) && MonotonicMs() < deadline) {
          SignalProcess(now.pid, now.pid_start, SIGKILL);
          ::usleep(10000);
        }
        break;
      }
      SignalProcess(now.monitor_pid, now.monitor_start, SIGKILL);
      SignalProcess(now.pid, now.pid_start, SIGKILL);
      if (MonotonicMs() > deadline) {
        return Fail(ErrorCode::kInternal, "could not kill the monitor of container " + id);
      }
      ::usleep(10000);
    }
  }
  BUILDER_TRY(store.Remove(id));
  ReleaseVolumes(store, view.spec, remove_volumes);
  if (view.spec.bridged()) {
    // A monitor killed (here or by anyone) leaves its lease, veth and port rules behind.
    if (auto nets = Networks::Open(DirName(store.dir()))) (void)nets->ReclaimDead();
  }
  return {};
}

void ReleaseVolumes(const ContainerStore& store, const ContainerSpec& spec, bool remove_anonymous) {
  auto volumes = VolumeStore::Open(DirName(store.dir()));
  if (!volumes) return;
  for (const MountSpec& m : spec.mounts) {
    if (m.type != "volume") continue;
    (void)volumes->RemoveUser(m.source, spec.id);
    auto info = volumes->Get(m.source);
    if (remove_anonymous && info && info->anonymous) (void)volumes->Remove(m.source, false);
  }
}

}  // namespace builder::runner
