// ContainerFreeze: a running container held still (cgroup freezer) while commit reads its upper
// dir, thawed again when the holder goes.
#pragma once

#include <optional>
#include <string>

#include "base/error.h"
#include "runner/container_store.h"
#include "sandbox/cgroup.h"

namespace builder::runner {

class ContainerFreeze {
 public:
  ContainerFreeze() = default;
  ContainerFreeze(ContainerFreeze&& other) noexcept : frozen_(std::move(other.frozen_)) { other.frozen_.reset(); }
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
  bool holding() const { return frozen_.has_value(); }

 private:
  std::optional<sandbox::Cgroup> frozen_;  // the cgroup this holder froze and thaws
};

}  // namespace builder::runner
