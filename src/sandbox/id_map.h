// User namespace id maps: /etc/subuid parsing, the map for each way of running, and applying it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::sandbox {

/// One line of /proc/<pid>/uid_map: container ids [container_id, container_id + size) are host
/// ids [host_id, host_id + size).
struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
  bool operator==(const IdMapping&) const = default;
};

/// A subordinate id range granted by /etc/subuid or /etc/subgid.
struct SubIdRange {
  uint32_t start = 0;
  uint32_t count = 0;
  bool operator==(const SubIdRange&) const = default;
};

/// The uid and gid maps of one sandbox and how to install them.
struct IdMaps {
  std::vector<IdMapping> uids;
  std::vector<IdMapping> gids;
  /// True when the maps hold subordinate ranges: only the setuid newuidmap/newgidmap may write
  /// them. False: the parent writes /proc/<pid>/{uid,gid}_map itself.
  bool use_helpers = false;
  /// False for a single-id map written by an unprivileged parent: the kernel then requires
  /// /proc/<pid>/setgroups = "deny", so the child cannot call setgroups(2).
  bool setgroups_allowed = true;

  /// True when every container id in [id, id + 1) is mapped.
  bool MapsUid(uint32_t id) const;
  bool MapsGid(uint32_t id) const;
};

/// Ranges granted to a user in a subuid/subgid file ("name:start:count" or "uid:start:count" per
/// line; '#' comments and malformed lines are skipped, as shadow-utils does). Zero-count
/// ranges are dropped.
std::vector<SubIdRange> ParseSubIdFile(std::string_view content, std::string_view user_name,
                                       uint32_t uid);

/// The maps for a sandbox started by host `uid`/`gid`:
///  - host root: container ids 0..4294967294 map 1:1 to the same host ids, so files in the
///    upper dir keep their real owners and the layer diff needs no translation;
///  - another user with subordinate ranges (and the helpers available): container 0 is the
///    user, container 1.. the concatenated ranges (as rootless Docker/Podman);
///  - otherwise a single-id map: container 0 is the user, nothing else is mapped.
IdMaps ComputeIdMaps(uint32_t uid, uint32_t gid, const std::vector<SubIdRange>& subuids,
                     const std::vector<SubIdRange>& subgids, bool helpers_available);

/// The ranges of a /proc/<pid>/uid_map or gid_map as the kernel prints them (three numbers per
/// line, padded with spaces). Errors: kCorrupt naming the first malformed line.
[[nodiscard]] Result<std::vector<IdMapping>> ParseProcIdMap(std::string_view text);

/// The maps of a sandbox started by root of a user namespace whose own maps are `own_uids` /
/// `own_gids`: the identity over exactly the ids that exist there, one line per line of theirs
/// (a child's range must lie inside one range of the parent's map, so none are merged). In the
/// initial namespace that is 0..4294967294; inside `builder`'s re-exec (0 -> the user, 1.. ->
/// subordinate ids) it is 0..N, so files keep their container owners. Only ids mapped in the
/// parent may appear in a child's map: the full identity would be refused there.
IdMaps IdentityIdMaps(const std::vector<IdMapping>& own_uids,
                      const std::vector<IdMapping>& own_gids);

/// The text written to /proc/<pid>/uid_map ("0 1000 1\n1 100000 65536\n").
std::string FormatIdMap(const std::vector<IdMapping>& map);

/// Reads /etc/subuid and /etc/subgid for the calling user, looks for newuidmap/newgidmap in
/// PATH, and computes the maps. Missing files just mean no subordinate ranges. For uid 0 the
/// maps are IdentityIdMaps of /proc/self/{uid,gid}_map (the full range when unreadable).
[[nodiscard]] Result<IdMaps> IdMapsForCurrentUser();

/// Installs the maps of the child `pid`, which must be blocked in a new user namespace:
/// newuidmap/newgidmap when `maps.use_helpers`, else direct writes (setgroups "deny" first when
/// `!maps.setgroups_allowed`). Errors name the file or helper that failed.
[[nodiscard]] Result<void> ApplyIdMaps(pid_t pid, const IdMaps& maps);

}  // namespace builder::sandbox
