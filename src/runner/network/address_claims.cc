// AddressClaims: host-wide claims on the addresses of the default bridge, which every store
// on this host (and network namespace) shares.
#include "runner/network/address_claims.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include "base/path.h"
#include "base/unique_fd.h"
#include "runner/network/network_store.h"

namespace builder::runner::network {
namespace {

std::string HolderText(pid_t pid, uint64_t start) {
  return std::to_string(pid) + " " + std::to_string(start) + "\n";
}

// Whether the claim file names a process that still runs (and is not `pid`/`start` itself).
bool HeldByOther(const std::string& text, pid_t pid, uint64_t start) {
  std::istringstream in(text);
  pid_t owner = 0;
  uint64_t owner_start = 0;
  if (!(in >> owner >> owner_start) || owner <= 0 || owner_start == 0) return false;
  if (owner == pid && owner_start == start) return false;
  return ProcessStartTime(owner) == owner_start;
}

// flock on the directory itself: no lock file is left behind.
Result<UniqueFd> LockDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return FailErrno("open " + dir, errno);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return FailErrno("lock " + dir, errno);
  }
  return fd;
}

}  // namespace

AddressClaims AddressClaims::For(const std::string& bridge, const std::string& root) {
  // Each network namespace has its own builder0 (tests make theirs): claims are per namespace.
  struct stat st{};
  const unsigned long long ino = ::stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0;
  return AddressClaims(root + "/net-" + std::to_string(ino) + "/" + bridge);
}

Result<bool> AddressClaims::Claim(const std::string& address, pid_t holder,
                                  uint64_t holder_start) const {
  const std::string path = dir_ + "/" + address;
  // A Release may remove the emptied directory between our mkdir and our write: try again.
  for (int attempt = 0;; ++attempt) {
    BUILDER_TRY(MakeDirs(dir_, 0700));
    auto lock = LockDir(dir_);
    if (!lock && lock.error().sys_errno() == ENOENT && attempt < 5) continue;
    if (!lock) return Fail(std::move(lock.error()));
    if (auto text = ReadFile(path); text && HeldByOther(*text, holder, holder_start)) return false;
    auto written = WriteRuntimeFile(path, HolderText(holder, holder_start), 0600);
    if (!written && written.error().sys_errno() == ENOENT && attempt < 5) continue;
    if (!written) return Fail(std::move(written.error()));
    return true;
  }
}

void AddressClaims::Release(const std::string& address, pid_t holder, uint64_t holder_start) const {
  auto lock = LockDir(dir_);
  if (!lock) return;
  const std::string path = dir_ + "/" + address;
  if (auto text = ReadFile(path); text && !HeldByOther(*text, holder, holder_start)) {
    ::unlink(path.c_str());
  }
  // Nothing left behind once the last claim goes (a test's namespace, say): the directory and
  // its per-namespace parent, when empty.
  if (::rmdir(dir_.c_str()) == 0) ::rmdir(DirName(dir_).c_str());
}

}  // namespace builder::runner::network
