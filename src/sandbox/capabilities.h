// Capability sets: Docker's default set, names for messages and tests, and the child-side drop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::sandbox {

/// Docker's default set: CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP
/// SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE (0xa80425fb, as /proc/<pid>/status
/// prints CapEff in a `docker run`). CAP_SYS_ADMIN is not in it.
uint64_t DefaultCapabilities();

/// Every capability this kernel knows (bits 0..LastCapability()): --privileged.
uint64_t AllCapabilities();

/// The mask of one capability by name, as --cap-add/--cap-drop take it: "NET_ADMIN",
/// "CAP_NET_ADMIN", "net_admin" (case-insensitive), or "ALL" for AllCapabilities().
/// Errors: kInvalidArgument for an unknown name.
[[nodiscard]] Result<uint64_t> CapabilityByName(std::string_view name);

/// Lower-case names ("cap_chown", ...) of the bits set in `mask`, in bit order.
std::vector<std::string> CapabilityNames(uint64_t mask);

/// The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap).
int LastCapability();

/// Child side, async-signal-safe (no allocation), run after the uid/gid switch with
/// PR_SET_KEEPCAPS: drops every capability outside `mask` from the bounding set, sets
/// effective = permitted = inheritable = `mask` and clears the ambient set. Bounding-set drops
/// need CAP_SETPCAP, so callers drop the bounding set first via DropBoundingSet().
/// Both return 0 or the errno of the failing call, with `*what` naming it.
int DropBoundingSet(uint64_t mask, int last_cap, const char** what);
int SetCapabilities(uint64_t mask, const char** what);

}  // namespace builder::sandbox
