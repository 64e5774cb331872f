// CgroupEntry: a child cloned straight into a container's cgroup, without the kernel's
// global migration lock.
#include "sandbox/cgroup_entry.h"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace builder::sandbox {
namespace {

// "0" names the writing thread: the kernel then needs no lock against other threads' forks.
bool MoveSelf(const std::string& dir) {
  UniqueFd fd(::open((dir + "/tasks").c_str(), O_WRONLY | O_CLOEXEC));
  return fd && ::write(fd.get(), "0", 1) == 1;
}

}  // namespace

CgroupEntry::CgroupEntry(CgroupEntry&& other) noexcept
    : origins_(std::exchange(other.origins_, {})), v2_fd_(std::move(other.v2_fd_)) {}

CgroupEntry& CgroupEntry::operator=(CgroupEntry&& other) noexcept {
  if (this != &other) {
    Leave();
    origins_ = std::exchange(other.origins_, {});
    v2_fd_ = std::move(other.v2_fd_);
  }
  return *this;
}

CgroupEntry::~CgroupEntry() { Leave(); }

void CgroupEntry::Leave() {
  // Best effort: a thread left behind only keeps the container's cgroup from being removed
  // until the caller exits; Remove() reports that.
  for (const std::string& dir : origins_) (void)MoveSelf(dir);
  origins_.clear();
}

Result<CgroupEntry> CgroupEntry::Enter(const Cgroup& cgroup) {
  CgroupEntry entry;
  const std::vector<std::string>& dirs = cgroup.dirs();
  const std::vector<std::string>& homes = cgroup.homes();
  for (size_t i = 0; i < dirs.size(); ++i) {
    if (dirs[i] == cgroup.v2_dir()) {
      entry.v2_fd_ = UniqueFd(::open(dirs[i].c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!entry.v2_fd_) return FailErrno("open " + dirs[i], errno);
      continue;
    }
    if (!MoveSelf(dirs[i])) return FailErrno("enter " + dirs[i], errno);
    entry.origins_.push_back(homes[i]);
  }
  return entry;
}

Result<NamespacedChild> StartInCgroup(const Cgroup* cgroup, uint64_t flags,
                                      NamespacedChild::Body body, const void* arg) {
  if (!cgroup) return NamespacedChild::Start(flags, body, arg);
  if (auto entry = CgroupEntry::Enter(*cgroup)) {
    if (auto child = NamespacedChild::Start(flags, body, arg, entry->clone_fd())) return child;
  }
  NamespacedChild child = BUILDER_TRY(NamespacedChild::Start(flags, body, arg));
  BUILDER_TRY(cgroup->AddProcess(child.pid()));
  return child;
}

}  // namespace builder::sandbox
