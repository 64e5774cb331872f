// StagingLease: a process's flock-held lease on a staging dir (the store's tmp/), so prune can
// tell a dead writer's staging (remove it now) from a live one's (never), as containerd's
// leases do for its ingests.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace builder {

/// A mkstemp/mkdtemp template "DIR/STEM.<lease id>.XXXXXX" for a staging entry of this process
/// in `dir`. The first call for a dir creates DIR/lease.<id>, locked (flock LOCK_EX on an fd kept
/// open, close-on-exec, until the process ends) before it appears under that name, so the lease
/// of a live process is never seen unlocked. <id> is 16 random hex digits.
[[nodiscard]] Result<std::string> StagingTemplate(const std::string& dir, std::string_view stem);

/// Ends this process's lease on `dir` now (its file unlinked, its lock dropped) instead of at
/// exit: for a staging dir that is removed once a write is done (a layout written for export).
/// Only once nothing of this process is staged there any more.
void ReleaseStagingLease(const std::string& dir);

/// The lease id a staging entry's name carries ("STEM.<id>.XXXXXX"), or "" for other names.
std::string StagingLeaseId(std::string_view name);
/// The lease id of a lease file's name ("lease.<id>"), or "".
std::string LeaseFileId(std::string_view name);

/// Whether lease <id> in `dir` is held by a live process. A missing lease is dead (a lease
/// exists before any entry that names it); one that can be locked is dead (flock locks go with
/// their process). Errors only for failures other than those.
[[nodiscard]] Result<bool> LeaseIsLive(const std::string& dir, const std::string& id);

}  // namespace builder
