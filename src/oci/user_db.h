// Resolving USER and --chown names through the image's own /etc/passwd and /etc/group.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/merged_view.h"

namespace builder::oci {

struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  ///< supplementary groups from /etc/group
  std::string home = "/";     ///< from /etc/passwd, for HOME when the env has none
};

/// USER semantics ("name", "uid", "name:group", "uid:gid"): a name must be in the image's
/// /etc/passwd (kNotFound "unable to find user app: no matching entries in passwd file"); the
/// primary group comes from passwd (0 for an unknown numeric uid); a group name from /etc/group.
[[nodiscard]] Result<ResolvedUser> ResolveRunUser(const MergedView& view, const std::string& spec);

/// COPY --chown semantics: as above, but a missing group means gid = uid (Docker's rule).
[[nodiscard]] Result<ResolvedUser> ResolveChown(const MergedView& view, const std::string& spec);

}  // namespace builder::oci
