// ContainerStore: the containers under $BUILDER_ROOT/containers/<id>/ (config.json, state.json,
// log, upper/ and work/), their names, and lookup by id, name or id prefix.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/file_lock.h"
#include "runner/container_spec.h"
#include "runner/container_state.h"

namespace builder::runner {

/// One container as commands see it: spec, state, and whether its monitor is alive. A state
/// that says running/paused/restarting while no monitor holds the container is shown as exited.
struct ContainerView {
  ContainerSpec spec;
  ContainerState state;
  bool monitor_alive = false;
};

class ContainerStore {
 public:
  /// `root` is the builder root ($BUILDER_ROOT); containers/ is created if missing.
  [[nodiscard]] static Result<ContainerStore> Open(const std::string& root);

  const std::string& dir() const { return dir_; }
  std::string DirOf(const std::string& id) const { return dir_ + "/" + id; }
  std::string LogPath(const std::string& id) const { return DirOf(id) + "/container.log"; }
  /// Held exclusively by the container's monitor for its whole life (the kernel drops it when
  /// the monitor dies, however it dies).
  std::string MonitorLockPath(const std::string& id) const { return DirOf(id) + "/monitor.lock"; }

  /// Assigns id, created time and (when spec.name is empty) a free random name; fails with
  /// kAlreadyExists when the name is taken. Writes config.json and a "created" state.json and
  /// makes upper/ and work/. Returns the stored spec.
  [[nodiscard]] Result<ContainerSpec> Create(ContainerSpec spec) const;

  /// Full id, exact name (with or without '/'), or a unique id prefix, as docker: kNotFound
  /// "No such container: X", kInvalidArgument for an ambiguous prefix.
  [[nodiscard]] Result<std::string> Resolve(std::string_view ref) const;

  /// Ids of every container, sorted by creation time, newest first.
  [[nodiscard]] Result<std::vector<std::string>> List() const;

  [[nodiscard]] Result<ContainerSpec> LoadSpec(const std::string& id) const;
  [[nodiscard]] Result<ContainerState> LoadState(const std::string& id) const;
  [[nodiscard]] Result<ContainerView> View(const std::string& id) const;
  /// Loads, changes and stores the state under the container's state lock.
  [[nodiscard]] Result<ContainerState> UpdateState(
      const std::string& id, const std::function<void(ContainerState&)>& change) const;

  bool MonitorAlive(const std::string& id) const;

  /// Loads, changes and stores config.json (temp + fsync + rename) under the names lock, which
  /// every config write holds; nothing is written when `change` fails.
  [[nodiscard]] Result<ContainerSpec> UpdateSpec(
      const std::string& id, const std::function<Result<void>(ContainerSpec&)>& change) const;
  /// Renames; kAlreadyExists when the name is taken.
  [[nodiscard]] Result<void> Rename(const std::string& id, const std::string& new_name) const;

  /// Deletes the container's directory: first renamed to .trash-<id> (atomic: a crash leaves
  /// either the container or garbage that RemoveGarbage collects), then removed.
  [[nodiscard]] Result<void> Remove(const std::string& id) const;
  /// Remove's first half: the container is gone for every reader once this returns; the
  /// returned trash directory is for the caller to delete (oci::RemoveTree), or RemoveGarbage.
  [[nodiscard]] Result<std::string> MoveToTrash(const std::string& id) const;
  /// Removes .trash-* leftovers of interrupted removals and half-created containers (no config).
  [[nodiscard]] Result<void> RemoveGarbage() const;

 private:
  explicit ContainerStore(std::string dir) : dir_(std::move(dir)) {}
  [[nodiscard]] Result<FileLock> LockNames() const;
  [[nodiscard]] Result<void> SaveState(const std::string& id, const ContainerState& state) const;
  /// Whether another container than `except_id` is called `name`.
  [[nodiscard]] Result<bool> NameTaken(const std::string& name, const std::string& except_id) const;

  std::string dir_;
};

}  // namespace builder::runner
