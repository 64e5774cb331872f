// Freezing and thawing a cgroup's processes (pause/unpause): v1's freezer or v2's cgroup.freeze.
#pragma once

#include "base/error.h"
#include "sandbox/cgroup.h"

namespace builder::sandbox {

/// Freezes (frozen=true) or thaws every process in `cg` and waits until the kernel reports the
/// new state: v1 freezer.state FROZEN/THAWED when the freezer hierarchy is mounted, else v2
/// cgroup.freeze 1/0 with cgroup.events "frozen 1"/"frozen 0". A thaw also thaws the other
/// mechanism when it is frozen (a hybrid host, or a freeze made by another tool).
/// Errors: kUnsupported when neither exists (the root v2 cgroup has no cgroup.freeze);
/// kCancelled when the state does not settle within timeout_ms; kIo on a failed write.
[[nodiscard]] Result<void> SetFrozen(const Cgroup& cg, bool frozen, int timeout_ms = 5000);

/// Whether the cgroup is frozen (or freezing) now, by either mechanism.
bool IsFrozen(const Cgroup& cg);

}  // namespace builder::sandbox
