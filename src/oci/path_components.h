// PathComponent: the components of a path still to walk, for resolvers that follow symlinks
// by hand inside a root (safe_path and the layer entry check walk the same way).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace builder::oci {

/// A component still to walk, and the followed symlink it came from (-1: the path itself).
struct PathComponent {
  std::string name;
  int origin;
};

/// Pushes the components of `path` (empty and "." ones dropped) onto `todo` so that its first
/// one is walked next.
void PushComponents(std::string_view path, int origin, std::vector<PathComponent>& todo);

}  // namespace builder::oci
