// ContainerFreeze: a running container held still (cgroup freezer) while commit reads its upper
// dir, thawed again when the holder goes.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "runner/container_store.h"

namespace builder::runner {

class ContainerFreeze {
 public:
  ContainerFreeze() = default;
  ContainerFreeze(ContainerFreeze&& other) noexcept : thaw_(std::move(other.thaw_)) { other.thaw_.clear(); }
  ContainerFreeze& operator=(ContainerFreeze&&) = delete;
  /// Thaws what this holder froze (nothing when the container was frozen already).
  ~ContainerFreeze();

  /// Freezes the container `id` when it runs in a cgroup of its own ("builder/<id>"): v1
  /// freezer.state FROZEN where that hierarchy is mounted, else v2 cgroup.freeze; returns
  /// once every task has stopped (kIo after 5s).
  /// Nothing to do for a stopped container, one paused already (it stays paused), and one
  /// without its own cgroup (freezing the cgroup it shares would stop other processes).
  [[nodiscard]] static Result<ContainerFreeze> Freeze(const ContainerStore& store,
                                                      const std::string& id);
  /// Whether this holder froze something (and will thaw it).
  bool holding() const { return !thaw_.empty(); }

 private:
  std::vector<std::string> thaw_;  // files to write the thawed value to
};

}  // namespace builder::runner
