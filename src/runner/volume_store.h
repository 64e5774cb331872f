// VolumeStore: named and anonymous volumes under $BUILDER_ROOT/volumes/, as docker's local driver.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::runner {

/// One volume as `builder volume inspect` shows it.
struct VolumeInfo {
  std::string name;
  std::string mountpoint;  ///< absolute host path of its _data directory
  std::string created_at;  ///< RFC 3339, UTC
  std::map<std::string, std::string> labels, options;
  bool anonymous = false;  ///< made for a container (64-hex name); `volume prune` takes these
  bool populated = false;  ///< CopyUpIfEmpty ran once: never copied into again
  std::vector<std::string> users;  ///< ids of the containers using it (live ones only)
};

/// The volumes of one store. Layout: volumes/<name>/_data (the content, bind-mounted into
/// containers, as docker's /var/lib/docker/volumes/<name>/_data) and volumes/<name>/volume.json
/// (the metadata, written temp + fsync + rename). A volume appears by renaming a fully prepared
/// directory into place and disappears by renaming it away before deleting it, so a crash never
/// leaves a half volume; every change happens under an exclusive flock of volumes/.lock.
/// A recorded user whose containers/<id> directory is gone no longer counts as a user, so a
/// container removed by a crash does not pin its volumes forever.
class VolumeStore {
 public:
  /// Opens (creating volumes/ if missing) the volumes of the store at `store_root`.
  [[nodiscard]] static Result<VolumeStore> Open(std::string store_root);

  /// Makes a volume. An empty `name` makes an anonymous one with a random 64-hex name. A name
  /// that exists returns the existing volume when the labels and options asked for are empty
  /// or equal to its own (docker's idempotent create), kAlreadyExists otherwise.
  /// Errors: kInvalidArgument for a name outside [a-zA-Z0-9][a-zA-Z0-9_.-]+ (docker's rule) or
  /// an option key other than type, device and o; kUnsupported for those keys (mounting a
  /// device or tmpfs volume is not implemented yet).
  [[nodiscard]] Result<VolumeInfo> Create(std::string name,
                                          std::map<std::string, std::string> labels = {},
                                          std::map<std::string, std::string> options = {});
  /// kNotFound when missing ("no such volume: NAME").
  [[nodiscard]] Result<VolumeInfo> Get(const std::string& name) const;
  /// Get, or Create(name) when missing (what `run -v NAME:/dst` does).
  [[nodiscard]] Result<VolumeInfo> GetOrCreate(const std::string& name);
  /// Every volume, sorted by name.
  [[nodiscard]] Result<std::vector<VolumeInfo>> List() const;
  /// Removes a volume and its content. One with live users is refused (kAlreadyExists,
  /// "volume is in use - [ids]", as docker's conflict) unless `force`. kNotFound when missing.
  [[nodiscard]] Result<void> Remove(const std::string& name, bool force);
  /// Removes unused anonymous volumes, and unused named ones too when `all`. Returns the names
  /// removed, sorted; `*reclaimed` (when given) gets the bytes freed.
  [[nodiscard]] Result<std::vector<std::string>> Prune(bool all, std::uint64_t* reclaimed = nullptr);

  /// Docker's copy-up: when the volume was never populated and its _data is empty, copies the
  /// directory `image_dir` (a host path the caller resolved inside the container's image, e.g.
  /// a snapshot directory joined with the mount destination) into it, keeping owners, modes,
  /// times, xattrs, hard links, symlinks (never followed), device nodes and fifos. Marks the
  /// volume populated either way, so content the user deleted later is not copied back. A
  /// missing `image_dir` copies nothing; one that is not a directory is kInvalidArgument.
  [[nodiscard]] Result<void> CopyUpIfEmpty(const std::string& name, const std::string& image_dir);

  /// In-use tracking: the runner records which container uses which volume. Adding twice or
  /// removing an absent user is not an error; a missing volume is kNotFound. The container's
  /// directory containers/<id> must exist first: a user without one counts as gone.
  [[nodiscard]] Result<void> AddUser(const std::string& name, const std::string& container_id);
  [[nodiscard]] Result<void> RemoveUser(const std::string& name, const std::string& container_id);

  const std::string& dir() const { return dir_; }

 private:
  VolumeStore(std::string store_root, std::string dir)
      : store_root_(std::move(store_root)), dir_(std::move(dir)) {}

  std::string VolumeDir(std::string_view name) const { return dir_ + "/" + std::string(name); }
  [[nodiscard]] Result<VolumeInfo> Load(const std::string& name) const;
  [[nodiscard]] Result<void> Save(const VolumeInfo& info) const;
  /// Drops users whose container directory no longer exists.
  void ForgetDeadUsers(VolumeInfo* info) const;
  /// Renames the volume directory away and deletes it; returns the bytes freed.
  [[nodiscard]] Result<std::uint64_t> Delete(const std::string& name) const;

  std::string store_root_;
  std::string dir_;  ///< store_root_/volumes
};

/// True for docker's local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+, at most 255 bytes.
bool IsValidVolumeName(std::string_view name);

}  // namespace builder::runner
