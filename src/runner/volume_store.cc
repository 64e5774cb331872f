// Volumes: directories under volumes/, metadata beside the content, changes under one flock.
#include "runner/volume_store.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include <nlohmann/json.hpp>

#include "base/file_lock.h"
#include "base/path.h"
#include "base/staged_file.h"
#include "base/unique_fd.h"
#include "oci/remove_tree.h"
#include "oci/rootfs_importer.h"
#include "runner/event_log.h"
#include "runner/tree_copy.h"

namespace builder::runner {
namespace {

constexpr const char* kMetadataFile = "volume.json";
constexpr const char* kDataDir = "_data";
// Hidden names cannot clash with volumes: a volume name starts with a letter or digit.
constexpr const char* kLockFile = ".lock";
constexpr const char* kStagingPrefix = ".staging-";
constexpr const char* kTrashPrefix = ".trash-";

Result<FileLock> Lock(const std::string& dir) {
  auto lock = FileLock::Acquire(dir + "/" + kLockFile, FileLock::Mode::kExclusive);
  if (!lock) return Fail(std::move(lock.error()).Context("lock volumes"));
  return lock;
}

Result<std::string> RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  for (std::size_t got = 0; got < bytes;) {
    ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno("getrandom", errno);
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

Error NoSuchVolume(const std::string& name) {
  return Error(ErrorCode::kNotFound, "no such volume: " + (IsValidVolumeName(name) ? name : QuoteForMessage(name)));
}

Result<void> CheckName(const std::string& name) {
  if (IsValidVolumeName(name)) return {};
  return Fail(ErrorCode::kInvalidArgument,
              QuoteForMessage(name) +
                  " includes invalid characters for a local volume name, only "
                  "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed");
}

// The local driver's keys (type, device, o) describe a filesystem to mount at _data.
Result<void> CheckOptions(const std::map<std::string, std::string>& options) {
  for (const auto& [key, value] : options) {
    if (key != "type" && key != "device" && key != "o") {
      return Fail(ErrorCode::kInvalidArgument, "invalid option key: " + QuoteForMessage(key));
    }
  }
  if (!options.empty()) {
    return Fail(ErrorCode::kUnsupported,
                "volume options (type, device, o) are not supported yet: the local driver here "
                "only makes plain directories");
  }
  return {};
}

std::string NowRfc3339() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return oci::FormatRfc3339(ts.tv_sec);
}

std::string MetadataText(const VolumeInfo& info) {
  nlohmann::json j = {{"Name", info.name},           {"CreatedAt", info.created_at},
                      {"Labels", info.labels},       {"Options", info.options},
                      {"Anonymous", info.anonymous}, {"Populated", info.populated},
                      {"Users", info.users}};
  return j.dump(2) + "\n";
}

bool IsEmptyDir(const std::string& path, Result<void>* error) {
  auto names = ListDirectory(path);
  if (!names) {
    *error = Fail(std::move(names.error()));
    return false;
  }
  return names->empty();
}

}  // namespace

bool IsValidVolumeName(std::string_view name) {
  if (name.size() < 2 || name.size() > 255) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

Result<VolumeStore> VolumeStore::Open(std::string store_root) {
  std::string dir = store_root + "/volumes";
  if (auto made = MakeDirs(dir, 0700); !made) return Fail(std::move(made.error()).Context("open volumes"));
  VolumeStore store(std::move(store_root), std::move(dir));
  // Leftovers of a crash while creating or removing: nothing references them.
  if (auto names = ListDirectory(store.dir_)) {
    for (const std::string& name : *names) {
      if (name.starts_with(kStagingPrefix) || name.starts_with(kTrashPrefix)) {
        auto lock = FileLock::TryAcquire(store.dir_ + "/" + kLockFile, FileLock::Mode::kExclusive);
        if (!lock) break;  // someone is mid-change: their staging dir is not ours to take
        (void)oci::RemoveTree(store.dir_ + "/" + name);
      }
    }
  }
  return store;
}

Result<VolumeInfo> VolumeStore::Load(const std::string& name) const {
  const std::string path = VolumeDir(name) + "/" + kMetadataFile;
  auto text = ReadFile(path);
  if (!text) {
    if (text.error().sys_errno() == ENOENT || text.error().sys_errno() == ENOTDIR) {
      return Fail(NoSuchVolume(name));
    }
    return Fail(std::move(text.error()));
  }
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return Fail(ErrorCode::kCorrupt, "volume " + name + ": bad " + kMetadataFile);
  VolumeInfo info;
  info.name = name;
  info.mountpoint = VolumeDir(name) + "/" + kDataDir;
  auto string_map = [&](const char* key) {
    std::map<std::string, std::string> out;
    if (auto it = j.find(key); it != j.end() && it->is_object()) {
      for (const auto& [k, v] : it->items()) {
        if (v.is_string()) out[k] = v.get<std::string>();
      }
    }
    return out;
  };
  info.created_at = j.value("CreatedAt", "");
  info.labels = string_map("Labels");
  info.options = string_map("Options");
  info.anonymous = j.value("Anonymous", false);
  info.populated = j.value("Populated", false);
  if (auto it = j.find("Users"); it != j.end() && it->is_array()) {
    for (const auto& u : *it) {
      if (u.is_string()) info.users.push_back(u.get<std::string>());
    }
  }
  ForgetDeadUsers(&info);
  return info;
}

Result<void> VolumeStore::Save(const VolumeInfo& info) const {
  return WriteFileAtomic(VolumeDir(info.name) + "/" + kMetadataFile, MetadataText(info), 0600);
}

void VolumeStore::ForgetDeadUsers(VolumeInfo* info) const {
  std::erase_if(info->users, [&](const std::string& id) {
    struct stat st;
    const bool plain = !id.empty() && id.find('/') == std::string::npos && id != "." && id != "..";
    return !plain || (::stat((store_root_ + "/containers/" + id).c_str(), &st) != 0 && errno == ENOENT);
  });
}

Result<VolumeInfo> VolumeStore::Create(std::string name, std::map<std::string, std::string> labels,
                                       std::map<std::string, std::string> options) {
  const bool anonymous = name.empty();
  if (anonymous) name = BUILDER_TRY(RandomHex(32));
  BUILDER_TRY(CheckName(name));
  BUILDER_TRY(CheckOptions(options));
  FileLock lock = BUILDER_TRY(Lock(dir_));
  if (auto existing = Load(name)) {
    if ((labels.empty() || labels == existing->labels) &&
        (options.empty() || options == existing->options)) {
      return existing;
    }
    return Fail(ErrorCode::kAlreadyExists,
                "volume " + name + " already exists with different labels or options");
  } else if (existing.error().code() != ErrorCode::kNotFound) {
    return Fail(std::move(existing.error()));
  }

  // Prepared under a hidden name, then renamed into place whole.
  std::string staging = dir_ + "/" + kStagingPrefix + "XXXXXX";
  if (::mkdtemp(staging.data()) == nullptr) return FailErrno("create volume " + name, errno);
  auto cleanup = [&] { (void)oci::RemoveTree(staging); };
  // The volume dir is private to the store's owner (as docker's 0701/0700); _data is what
  // containers see, 0755 root-owned like docker's.
  if (::chmod(staging.c_str(), 0701) != 0 || ::mkdir((staging + "/" + kDataDir).c_str(), 0755) != 0 ||
      ::chmod((staging + "/" + kDataDir).c_str(), 0755) != 0) {
    int err = errno;
    cleanup();
    return FailErrno("create volume " + name, err);
  }
  VolumeInfo info;
  info.name = name;
  info.mountpoint = VolumeDir(name) + "/" + kDataDir;
  info.created_at = NowRfc3339();
  info.labels = std::move(labels);
  info.options = std::move(options);
  info.anonymous = anonymous;
  if (auto w = WriteFileAtomic(staging + "/" + kMetadataFile, MetadataText(info), 0600); !w) {
    cleanup();
    return Fail(std::move(w.error()).Context("create volume " + name));
  }
  if (::rename(staging.c_str(), VolumeDir(name).c_str()) != 0) {
    int err = errno;
    cleanup();
    return FailErrno("create volume " + name, err);
  }
  BUILDER_TRY(SyncDirectory(dir_));
  RecordEvent(DirName(dir_), ObjectEvent("volume", "create", info.name, {{"driver", "local"}}));
  return info;
}

Result<VolumeInfo> VolumeStore::Get(const std::string& name) const {
  if (!IsValidVolumeName(name)) return Fail(NoSuchVolume(name));
  return Load(name);
}

Result<VolumeInfo> VolumeStore::GetOrCreate(const std::string& name) {
  if (auto found = Get(name); found || found.error().code() != ErrorCode::kNotFound) return found;
  return Create(name);  // idempotent when another process created it meanwhile
}

Result<std::vector<VolumeInfo>> VolumeStore::List() const {
  std::vector<VolumeInfo> out;
  for (const std::string& name : BUILDER_TRY(ListDirectory(dir_))) {
    if (!IsValidVolumeName(name)) continue;  // .lock, staging and trash dirs
    auto info = Load(name);
    if (!info) {
      if (info.error().code() == ErrorCode::kNotFound) continue;  // removed meanwhile
      return Fail(std::move(info.error()));
    }
    out.push_back(std::move(*info));
  }
  return out;
}

Result<std::uint64_t> VolumeStore::Delete(const std::string& name) const {
  // Gone from every listing at once; the slow delete happens out of sight.
  std::string trash = dir_ + "/" + kTrashPrefix + BUILDER_TRY(RandomHex(8));
  if (::rename(VolumeDir(name).c_str(), trash.c_str()) != 0) {
    return FailErrno("remove volume " + name, errno);
  }
  BUILDER_TRY(SyncDirectory(dir_));
  RecordEvent(DirName(dir_), ObjectEvent("volume", "destroy", name, {{"driver", "local"}}));
  auto freed = oci::RemoveTree(trash);
  if (!freed) return Fail(std::move(freed.error()).Context("remove volume " + name));
  return freed;
}

Result<void> VolumeStore::Remove(const std::string& name, bool force) {
  if (!IsValidVolumeName(name)) return Fail(NoSuchVolume(name));
  FileLock lock = BUILDER_TRY(Lock(dir_));
  VolumeInfo info = BUILDER_TRY(Load(name));
  if (!info.users.empty() && !force) {
    std::string ids;
    for (const std::string& id : info.users) ids += (ids.empty() ? "" : ", ") + id;
    return Fail(ErrorCode::kAlreadyExists, "remove " + name + ": volume is in use - [" + ids + "]");
  }
  BUILDER_TRY(Delete(name));
  return {};
}

Result<std::vector<std::string>> VolumeStore::Prune(bool all, std::uint64_t* reclaimed) {
  FileLock lock = BUILDER_TRY(Lock(dir_));
  std::vector<std::string> removed;
  std::uint64_t freed = 0;
  for (const VolumeInfo& info : BUILDER_TRY(List())) {
    if (!info.users.empty() || (!all && !info.anonymous)) continue;
    freed += BUILDER_TRY(Delete(info.name));
    removed.push_back(info.name);
  }
  if (reclaimed != nullptr) *reclaimed = freed;
  return removed;
}

Result<void> VolumeStore::CopyUpIfEmpty(const std::string& name, const std::string& image_dir) {
  if (!IsValidVolumeName(name)) return Fail(NoSuchVolume(name));
  // Under the lock: two containers starting on one new volume must not both copy.
  FileLock lock = BUILDER_TRY(Lock(dir_));
  VolumeInfo info = BUILDER_TRY(Load(name));
  if (info.populated) return {};
  Result<void> list_error;
  const bool empty = IsEmptyDir(info.mountpoint, &list_error);
  if (!list_error) return Fail(std::move(list_error.error()).Context("copy up into volume " + name));
  if (empty) {
    UniqueFd src(::open(image_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!src && errno == ENOTDIR) {
      return Fail(ErrorCode::kInvalidArgument,
                  "copy up into volume " + name + ": " + image_dir + " is not a directory");
    }
    if (!src && errno != ENOENT) return FailErrno("copy up into volume " + name + ": open " + image_dir, errno);
    if (src) {
      UniqueFd dst(::open(info.mountpoint.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!dst) return FailErrno("copy up into volume " + name + ": open " + info.mountpoint, errno);
      if (auto copied = CopyTreeContents(src.get(), dst.get()); !copied) {
        return Fail(std::move(copied.error()).Context("copy " + image_dir + " into volume " + name));
      }
      if (::syncfs(dst.get()) != 0) return FailErrno("sync volume " + name, errno);
    }
  }
  info.populated = true;
  return Save(info);
}

Result<void> VolumeStore::AddUser(const std::string& name, const std::string& container_id) {
  if (!IsValidVolumeName(name)) return Fail(NoSuchVolume(name));
  FileLock lock = BUILDER_TRY(Lock(dir_));
  VolumeInfo info = BUILDER_TRY(Load(name));
  if (std::find(info.users.begin(), info.users.end(), container_id) != info.users.end()) return {};
  info.users.push_back(container_id);
  return Save(info);
}

Result<void> VolumeStore::RemoveUser(const std::string& name, const std::string& container_id) {
  if (!IsValidVolumeName(name)) return Fail(NoSuchVolume(name));
  FileLock lock = BUILDER_TRY(Lock(dir_));
  VolumeInfo info = BUILDER_TRY(Load(name));
  std::erase(info.users, container_id);
  return Save(info);
}

}  // namespace builder::runner
