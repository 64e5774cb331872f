// ContainerFreeze: the container's own cgroup frozen through sandbox::SetFrozen (the freezer
// pause/unpause use too), thawed by the destructor.
#include "runner/container_freeze.h"

#include "runner/container_cgroup.h"
#include "runner/process_identity.h"
#include "sandbox/cgroup_freezer.h"

namespace builder::runner {

ContainerFreeze::~ContainerFreeze() {
  if (frozen_) (void)sandbox::SetFrozen(*frozen_, false);
}

Result<ContainerFreeze> ContainerFreeze::Freeze(const ContainerStore& store, const std::string& id) {
  ContainerFreeze hold;
  ContainerView view = BUILDER_TRY(store.View(id));
  if (!view.state.active() || !view.monitor_alive || view.state.pid <= 0 ||
      !ProcessAlive(view.state.pid, view.state.pid_start)) {
    return hold;
  }
  // Without a cgroup of its own there is nothing to freeze that is only the container's.
  auto cgroup = ContainerCgroup(view);
  if (!cgroup || sandbox::IsFrozen(*cgroup)) return hold;  // paused already: stays so
  auto frozen = sandbox::SetFrozen(*cgroup, true);
  if (!frozen) {
    return Fail(frozen.error().code() == ErrorCode::kCancelled
                    ? Error(ErrorCode::kIo, "the container did not freeze within 5s")
                    : std::move(frozen.error()));
  }
  hold.frozen_ = std::move(*cgroup);
  return hold;
}

}  // namespace builder::runner
