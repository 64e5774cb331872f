// StagingLease: lease files under flock, created locked and then renamed into place.
#include "base/staging_lease.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <mutex>

#include "base/path.h"
#include "base/unique_fd.h"

namespace builder {
namespace {

constexpr std::string_view kLeasePrefix = "lease.";
constexpr std::size_t kIdLength = 16;

bool IsId(std::string_view s) {
  if (s.size() != kIdLength) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<std::string> NewId() {
  unsigned char bytes[kIdLength / 2];
  if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
    return FailErrno("getrandom", errno);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

// The held leases, one per dir; their fds stay open (and locked) until the process exits.
struct Leases {
  std::mutex mu;
  std::map<std::string, std::pair<std::string, UniqueFd>> by_dir;
  pid_t owner = 0;  // a forked child inherits the map, not the leases' ownership
};
Leases& Held() {
  static Leases* leases = new Leases;  // never destroyed: the locks must outlive static dtors
  return *leases;
}

// A normal exit takes its leases along (the staging they cover is gone by then: RAII removed
// it), so tmp/ is left as it was found; a killed process leaves its lease for prune.
void ReleaseAtExit() {
  Leases& held = Held();
  std::lock_guard lock(held.mu);
  if (held.owner != ::getpid()) return;
  for (const auto& [dir, lease] : held.by_dir)
    ::unlink(JoinPath(dir, "lease." + lease.first).c_str());
}

Result<std::string> AcquireLease(const std::string& dir) {
  Leases& held = Held();
  std::lock_guard lock(held.mu);
  if (auto it = held.by_dir.find(dir); it != held.by_dir.end() && held.owner == ::getpid())
    return it->second.first;
  std::string id = BUILDER_TRY(NewId());
  // Locked under a name prune does not read as a lease, then renamed: never seen unlocked.
  std::string temp = JoinPath(dir, ".lease-new." + id);
  UniqueFd fd(::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return FailErrno("create staging lease " + temp, errno);
  if (::flock(fd.get(), LOCK_EX) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return FailErrno("lock staging lease " + temp, err);
  }
  std::string final_path = JoinPath(dir, std::string(kLeasePrefix) + id);
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return FailErrno("publish staging lease " + final_path, err);
  }
  if (held.owner != ::getpid()) {
    held.by_dir.clear();  // a forked child: the parent's leases are not ours to name or release
    held.owner = ::getpid();
    std::atexit(ReleaseAtExit);
  }
  held.by_dir.emplace(dir, std::make_pair(id, std::move(fd)));
  return id;
}

}  // namespace

void ReleaseStagingLease(const std::string& dir) {
  Leases& held = Held();
  std::lock_guard lock(held.mu);
  if (held.owner != ::getpid()) return;
  auto it = held.by_dir.find(dir);
  if (it == held.by_dir.end()) return;
  ::unlink(JoinPath(dir, "lease." + it->second.first).c_str());
  held.by_dir.erase(it);  // closes the fd: the lock goes with it
}

Result<std::string> StagingTemplate(const std::string& dir, std::string_view stem) {
  std::string id = BUILDER_TRY(AcquireLease(dir));
  return JoinPath(dir, std::string(stem) + "." + id + ".XXXXXX");
}

std::string StagingLeaseId(std::string_view name) {
  // STEM.<id>.XXXXXX: the id is the second-to-last dot-separated field.
  std::size_t last = name.rfind('.');
  if (last == std::string_view::npos || last < kIdLength + 1) return "";
  std::string_view id = name.substr(last - kIdLength, kIdLength);
  if (name[last - kIdLength - 1] != '.' || !IsId(id)) return "";
  return std::string(id);
}

std::string LeaseFileId(std::string_view name) {
  if (!name.starts_with(kLeasePrefix)) return "";
  std::string_view id = name.substr(kLeasePrefix.size());
  return IsId(id) ? std::string(id) : "";
}

Result<bool> LeaseIsLive(const std::string& dir, const std::string& id) {
  {
    // Our own lease (prune may run in a process that staged too): flock would conflict as
    // well, this only skips the open.
    Leases& held = Held();
    std::lock_guard lock(held.mu);
    for (const auto& [d, lease] : held.by_dir)
      if (lease.first == id) return true;
  }
  std::string path = JoinPath(dir, std::string(kLeasePrefix) + id);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) {
    if (errno == ENOENT) return false;
    return FailErrno("open staging lease " + path, errno);
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return false;  // released when fd closes
  if (errno == EWOULDBLOCK) return true;
  return FailErrno("lock staging lease " + path, errno);
}

}  // namespace builder
