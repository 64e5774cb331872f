// RUN --mount=type=...,key=value: the CSV option list parsed and validated as BuildKit does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace builder::parser {

/// One RUN --mount. Values are kept as written (variables unexpanded); every value without a
/// '$' is validated here, the rest by ParseMountSpec again after the planner expands them.
struct MountSpec {
  std::string text;            ///< the flag value as written, for re-parsing after expansion
  std::string type = "bind";   ///< bind, cache, tmpfs, secret, ssh (lower-cased)
  std::string from;            ///< stage or image for bind/cache; never holds a variable
  std::string source;          ///< `source`/`src`
  std::string target;          ///< `target`/`dst`/`destination`
  bool read_only = true;       ///< effective: explicit ro/rw, else true except cache and tmpfs
  bool read_only_set = false;  ///< ro/rw/readonly/readwrite was given
  bool required = false;       ///< secret/ssh only
  std::string id;              ///< cache or secret id
  std::string sharing;         ///< cache only: shared, private, locked ("" = default shared)
  std::string mode;            ///< octal, cache/secret/ssh only ("" = default)
  std::string uid;             ///< decimal, cache/secret/ssh only
  std::string gid;             ///< decimal, cache/secret/ssh only
  std::string size;            ///< tmpfs only: bytes with an optional k/m/g/t/p suffix
  std::string env;             ///< secret only: expose as this environment variable
};

/// Parses a --mount value. Errors (BuildKit's wording where it has one; the caller locates them
/// at the flag): "failed to parse csv mounts: ...", "invalid field 'x' must be a key=value pair",
/// "unexpected key 'k' in 'k=v'" (with a suggestion), "unsupported mount type \"x\"" (with a
/// suggestion), "unsupported sharing value \"x\"", "invalid value for ro: x", "invalid value x
/// for mode|uid|gid", "invalid value for size: x", "'from' doesn't support variable expansion,
/// define alias stage instead", "mode|uid|gid|size|env not allowed for \"t\" type mounts",
/// "unexpected key 'required' for mount type 't'", "invalid cache sharing set for t mount",
/// "secret mount should not have a from", "both source and id can't be set", "mount type
/// \"t\" requires a target", "invalid mount target \"/\"".
[[nodiscard]] Result<MountSpec> ParseMountSpec(std::string_view value);

}  // namespace builder::parser
