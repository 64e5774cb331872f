// ContainerCgroup, pause, unpause.
#include "runner/container_cgroup.h"

#include "base/path.h"
#include "runner/event_log.h"
#include "sandbox/cgroup_freezer.h"

namespace builder::runner {
namespace {

bool InCgroupOf(const sandbox::Cgroup& cg, const std::string& id) {
  const std::string own = "/builder/" + id;
  for (const std::string& dir : cg.dirs()) {
    if (!dir.ends_with(own)) return false;
  }
  return !cg.dirs().empty();
}

}  // namespace

Result<sandbox::Cgroup> ContainerCgroup(const ContainerView& view) {
  const std::string& id = view.spec.id;
  if (!view.state.active() || view.state.pid <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "container " + id + " is not running");
  }
  sandbox::Cgroup cg = BUILDER_TRY(sandbox::Cgroup::OfProcess(view.state.pid));
  if (!InCgroupOf(cg, id)) {
    return Fail(ErrorCode::kUnsupported, "container " + id + " has no cgroup of its own (rootless?)");
  }
  return cg;
}

bool InOwnCgroup(pid_t pid, const std::string& id) {
  auto cg = sandbox::Cgroup::OfProcess(pid);
  return cg && InCgroupOf(*cg, id);
}

Result<void> PauseContainer(const ContainerStore& store, const std::string& id) {
  ContainerView view = BUILDER_TRY(store.View(id));
  if (view.state.status == Status::kPaused) {
    return Fail(ErrorCode::kInvalidArgument, "container " + id + " is already paused");
  }
  if (view.state.status != Status::kRunning) {
    return Fail(ErrorCode::kInvalidArgument, "container " + id + " is not running");
  }
  sandbox::Cgroup cg = BUILDER_TRY(ContainerCgroup(view));
  BUILDER_TRY(sandbox::SetFrozen(cg, true));
  auto marked = store.UpdateState(id, [](ContainerState& s) {
    if (s.status == Status::kRunning) s.status = Status::kPaused;
  });
  if (!marked || marked->status != Status::kPaused) {
    (void)sandbox::SetFrozen(cg, false);  // it exited meanwhile, or the state is unwritable
    if (!marked) return Fail(std::move(marked.error()));
    return Fail(ErrorCode::kInvalidArgument, "container " + id + " is not running");
  }
  RecordEvent(DirName(store.dir()), ContainerEvent(view.spec, "pause"));
  return {};
}

Result<void> UnpauseContainer(const ContainerStore& store, const std::string& id) {
  ContainerView view = BUILDER_TRY(store.View(id));
  if (view.state.status != Status::kPaused) {
    return Fail(ErrorCode::kInvalidArgument, "container " + id + " is not paused");
  }
  sandbox::Cgroup cg = BUILDER_TRY(ContainerCgroup(view));
  BUILDER_TRY(sandbox::SetFrozen(cg, false));
  BUILDER_TRY(store.UpdateState(id, [](ContainerState& s) {
    if (s.status == Status::kPaused) s.status = Status::kRunning;
  }));
  RecordEvent(DirName(store.dir()), ContainerEvent(view.spec, "unpause"));
  return {};
}

Result<void> ThawIfPaused(const ContainerStore& store, const std::string& id) {
  ContainerView view = BUILDER_TRY(store.View(id));
  if (view.state.status != Status::kPaused) return {};
  return UnpauseContainer(store, id);
}

}  // namespace builder::runner
