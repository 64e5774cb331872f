// The container store: directories, names and lookup.
#include "runner/container_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/path.h"
#include "oci/remove_tree.h"
#include "runner/container_names.h"
#include "runner/event_log.h"

namespace builder::runner {
namespace {

bool IsId(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Result<ContainerStore> ContainerStore::Open(const std::string& root) {
  std::string dir = root + "/containers";
  BUILDER_TRY(MakeDirs(dir, 0700));
  return ContainerStore(std::move(dir));
}

Result<FileLock> ContainerStore::LockNames() const {
  return FileLock::Acquire(dir_ + "/.names.lock", FileLock::Mode::kExclusive);
}

Result<bool> ContainerStore::NameTaken(const std::string& name, const std::string& except_id) const {
  for (const std::string& id : BUILDER_TRY(List())) {
    if (id == except_id) continue;
    auto spec = LoadSpec(id);
    if (spec && spec->name == name) return true;
  }
  return false;
}

Result<ContainerSpec> ContainerStore::Create(ContainerSpec spec) const {
  FileLock names = BUILDER_TRY(LockNames());
  if (!spec.name.empty()) {
    spec.name = BUILDER_TRY(ValidateContainerName(spec.name));
    if (BUILDER_TRY(NameTaken(spec.name, ""))) {
      return Fail(ErrorCode::kAlreadyExists,
                  "the container name \"/" + spec.name + "\" is already in use");
    }
  } else {
    for (int attempt = 0;; ++attempt) {
      spec.name = RandomContainerName(attempt / 4);
      if (!BUILDER_TRY(NameTaken(spec.name, ""))) break;
    }
  }
  spec.id = RandomContainerId();
  spec.created = NowTimestamp();
  if (spec.hostname.empty()) spec.hostname = spec.id.substr(0, 12);
  const std::string dir = DirOf(spec.id);
  if (::mkdir(dir.c_str(), 0700) != 0) return FailErrno("create " + dir, errno);
  BUILDER_TRY(MakeDirs(dir + "/upper", 0755));
  BUILDER_TRY(MakeDirs(dir + "/work", 0700));
  BUILDER_TRY(WriteRuntimeFile(dir + "/state.json", ContainerState{}.Serialize(), 0600));
  // config.json last: a directory without it is a half-created container (RemoveGarbage).
  // A --rm container does not outlive its run, nor should it a machine's crash: no fsync.
  const std::string config = spec.Serialize();
  BUILDER_TRY(spec.auto_remove ? WriteRuntimeFile(dir + "/config.json", config, 0600)
                               : WriteFileAtomic(dir + "/config.json", config, 0600));
  RecordEvent(DirName(dir_), ContainerEvent(spec, "create"));
  return spec;
}

Result<std::vector<std::string>> ContainerStore::List() const {
  std::vector<std::pair<std::string, std::string>> found;  // created, id
  for (const std::string& name : BUILDER_TRY(ListDirectory(dir_))) {
    if (!IsId(name)) continue;
    auto spec = LoadSpec(name);
    if (!spec) continue;  // half-created or being removed
    found.emplace_back(spec->created, name);
  }
  std::sort(found.begin(), found.end(), std::greater<>());
  std::vector<std::string> ids;
  for (auto& f : found) ids.push_back(std::move(f.second));
  return ids;
}

Result<std::string> ContainerStore::Resolve(std::string_view ref_in) const {
  std::string ref(ref_in);
  if (ref.empty()) return Fail(ErrorCode::kInvalidArgument, "empty container name or id");
  std::vector<std::string> ids = BUILDER_TRY(List());
  if (std::find(ids.begin(), ids.end(), ref) != ids.end()) return ref;
  std::string name = ref.starts_with('/') ? ref.substr(1) : ref;
  for (const std::string& id : ids) {
    auto spec = LoadSpec(id);
    if (spec && spec->name == name) return id;
  }
  std::vector<std::string> matches;
  for (const std::string& id : ids) {
    if (id.starts_with(ref)) matches.push_back(id);
  }
  if (matches.size() == 1) return matches.front();
  if (matches.size() > 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "multiple IDs found with provided prefix: " + QuoteForMessage(ref));
  }
  return Fail(ErrorCode::kNotFound, "No such container: " + QuoteForMessage(ref));
}

Result<ContainerSpec> ContainerStore::LoadSpec(const std::string& id) const {
  auto text = ReadFile(DirOf(id) + "/config.json");
  if (!text) {
    if (text.error().sys_errno() == ENOENT)
      return Fail(ErrorCode::kNotFound, "No such container: " + id);
    return Fail(std::move(text.error()));
  }
  return ContainerSpec::Parse(*text);
}

Result<ContainerState> ContainerStore::LoadState(const std::string& id) const {
  auto text = ReadFile(DirOf(id) + "/state.json");
  if (!text) {
    if (text.error().sys_errno() == ENOENT)
      return Fail(ErrorCode::kNotFound, "No such container: " + id);
    return Fail(std::move(text.error()));
  }
  if (text->empty()) return ContainerState{};  // written and then lost to a machine's crash
  return ContainerState::Parse(*text);
}

Result<void> ContainerStore::SaveState(const std::string& id, const ContainerState& state) const {
  // Runtime state, as podman's under /run: not fsynced (a start writes it several times). After
  // a machine's crash the monitor is gone anyway, and a lost or empty file reads as created.
  return WriteRuntimeFile(DirOf(id) + "/state.json", state.Serialize(), 0600);
}

bool ContainerStore::MonitorAlive(const std::string& id) const {
  auto lock = FileLock::TryAcquire(MonitorLockPath(id), FileLock::Mode::kShared);
  return !lock && lock.error().code() == ErrorCode::kAlreadyExists;
}

Result<ContainerView> ContainerStore::View(const std::string& id) const {
  ContainerView view;
  view.spec = BUILDER_TRY(LoadSpec(id));
  view.state = BUILDER_TRY(LoadState(id));
  view.monitor_alive = MonitorAlive(id);
  if (view.state.active() && !view.monitor_alive) {
    // The monitor died without recording the exit (SIGKILL): its container died with it
    // (the sandbox's init has a parent-death signal), so it is exited, never running.
    view.state.status = Status::kExited;
    view.state.pid = 0;
    if (view.state.exit_code == 0) view.state.exit_code = 137;
  }
  return view;
}

Result<ContainerState> ContainerStore::UpdateState(
    const std::string& id, const std::function<void(ContainerState&)>& change) const {
  FileLock lock = BUILDER_TRY(FileLock::Acquire(DirOf(id) + "/state.lock", FileLock::Mode::kExclusive));
  ContainerState state = BUILDER_TRY(LoadState(id));
  change(state);
  BUILDER_TRY(SaveState(id, state));
  return state;
}

Result<ContainerSpec> ContainerStore::UpdateSpec(
    const std::string& id, const std::function<Result<void>(ContainerSpec&)>& change) const {
  FileLock names = BUILDER_TRY(LockNames());
  ContainerSpec spec = BUILDER_TRY(LoadSpec(id));
  BUILDER_TRY(change(spec));
  BUILDER_TRY(WriteFileAtomic(DirOf(id) + "/config.json", spec.Serialize(), 0600));
  return spec;
}

Result<void> ContainerStore::Rename(const std::string& id, const std::string& new_name) const {
  std::string name = BUILDER_TRY(ValidateContainerName(new_name));
  FileLock names = BUILDER_TRY(LockNames());
  if (BUILDER_TRY(NameTaken(name, id))) {
    return Fail(ErrorCode::kAlreadyExists, "the container name \"/" + name + "\" is already in use");
  }
  ContainerSpec spec = BUILDER_TRY(LoadSpec(id));
  const std::string old_name = spec.name;
  spec.name = name;
  BUILDER_TRY(WriteFileAtomic(DirOf(id) + "/config.json", spec.Serialize(), 0600));
  RecordEvent(DirName(dir_), ContainerEvent(spec, "rename", {{"oldName", "/" + old_name}}));
  return {};
}

Result<std::string> ContainerStore::MoveToTrash(const std::string& id) const {
  std::string trash = dir_ + "/.trash-" + id;
  auto spec = LoadSpec(id);  // for the destroy event's attributes
  {
    FileLock names = BUILDER_TRY(LockNames());
    if (::rename(DirOf(id).c_str(), trash.c_str()) != 0) {
      if (errno == ENOENT) return Fail(ErrorCode::kNotFound, "No such container: " + id);
      return FailErrno("remove container " + id, errno);
    }
  }
  if (spec) RecordEvent(DirName(dir_), ContainerEvent(*spec, "destroy"));
  return trash;
}

Result<void> ContainerStore::Remove(const std::string& id) const {
  const std::string trash = BUILDER_TRY(MoveToTrash(id));
  BUILDER_TRY(oci::RemoveTree(trash));
  return {};
}

Result<void> ContainerStore::RemoveGarbage() const {
  FileLock names = BUILDER_TRY(LockNames());
  for (const std::string& name : BUILDER_TRY(ListDirectory(dir_))) {
    const std::string path = dir_ + "/" + name;
    bool half_created = IsId(name) && ::access((path + "/config.json").c_str(), F_OK) != 0;
    if (name.starts_with(".trash-") || half_created) BUILDER_TRY(oci::RemoveTree(path));
  }
  return {};
}

}  // namespace builder::runner
