// Running builder itself as root of a user namespace over the user's subordinate ids.
#pragma once

#include <optional>

#include "base/error.h"
#include "sandbox/id_map.h"

namespace builder::sandbox {

/// Set (to "1") in the environment of the re-executed builder.
inline constexpr const char* kUserNamespaceMarker = "BUILDER_USERNS";

/// The maps builder should re-execute itself under, or nullopt when it should go on as it is:
/// the caller is root (of any namespace), is the re-executed builder already (the marker is
/// set), or lacks subordinate uid or gid ranges or newuidmap/newgidmap (RUN then maps one id,
/// as before). In the re-executed builder it also renames the process back from "exe" (what an
/// exec of /proc/self/exe calls it) to the binary's name. Errors: IdMapsForCurrentUser's.
[[nodiscard]] Result<std::optional<IdMaps>> UserNamespaceReexecMaps();

/// Runs /proc/self/exe with `argv` and the current environment plus kUserNamespaceMarker as
/// uid/gid 0 of a new user namespace with `maps` (container 0 -> the user, 1.. -> the
/// subordinate ids), so it may read, chown and delete files owned by any of those ids, and waits
/// for it. SIGINT, SIGTERM and SIGHUP sent to this process alone are forwarded (a terminal's
/// already reach the whole process group); if this process dies anyway (SIGKILL) the child is
/// killed too. Returns the exit code for main: the child's, or 128+n when signal n ended it.
/// Call it before any thread starts: the child is forked.
/// Errors: clone3 (user namespaces unavailable), newuidmap/newgidmap refusing the maps, exec;
/// after any of these the program never ran, so the caller may go on without the namespace.
/// kInternal alone means it ran but could not be waited for.
[[nodiscard]] Result<int> ReexecInUserNamespace(const IdMaps& maps, char* const* argv);

/// ReexecInUserNamespace with another `program` (an absolute path, not searched in PATH) in
/// place of /proc/self/exe: the seam its tests use.
[[nodiscard]] Result<int> RunInUserNamespace(const IdMaps& maps, const char* program,
                                             char* const* argv);

}  // namespace builder::sandbox
