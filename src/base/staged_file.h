// StagedFile: a file written under a temporary name and published atomically, or removed.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace builder {

/// A temp file in `dir` that becomes `dest` on Commit(): fsync, rename, fsync of dest's directory,
/// so readers see the old file or the whole new one, never a torn one. Destroyed uncommitted it is
/// unlinked. `dir` must be on dest's filesystem (the store keeps its tmp/ next to its blobs).
class StagedFile {
 public:
  [[nodiscard]] static Result<StagedFile> Create(const std::string& dir, unsigned mode = 0644);
  /// The same in a staging dir shared with prune (the store's tmp/): the name carries this
  /// process's lease (StagingTemplate), so prune removes it only once the process is gone.
  [[nodiscard]] static Result<StagedFile> CreateLeased(const std::string& dir, unsigned mode = 0644);

  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&&) = delete;
  ~StagedFile();

  int fd() const { return fd_.get(); }
  const std::string& temp_path() const { return temp_path_; }

  [[nodiscard]] Result<void> Write(std::string_view data);
  /// Publishes the file as dest (replacing it). The object is spent afterwards. Not `durable`:
  /// no fsync, so a machine crash may lose it (still never torn for a process's crash): for
  /// runtime state that a reboot makes moot anyway.
  [[nodiscard]] Result<void> Commit(const std::string& dest, bool durable = true);

 private:
  static Result<StagedFile> CreateFromTemplate(std::string path, const std::string& dir, unsigned mode);
  StagedFile(UniqueFd fd, std::string temp_path) : fd_(std::move(fd)), temp_path_(std::move(temp_path)) {}
  UniqueFd fd_;
  std::string temp_path_;  ///< empty once committed or moved from
};

/// write(2) until all of data is written, retrying EINTR and short writes; `what` names the file.
[[nodiscard]] Result<void> WriteAll(int fd, std::string_view data, std::string_view what);
/// fsync of a directory, so a rename or unlink inside it is durable.
[[nodiscard]] Result<void> SyncDirectory(const std::string& dir);

}  // namespace builder
