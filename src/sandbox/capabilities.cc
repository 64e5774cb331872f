// Capability sets: Docker's default set, names for messages and tests, and the child-side drop.
#include "sandbox/capabilities.h"

#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/path.h"

namespace builder::sandbox {

uint64_t DefaultCapabilities() {
  constexpr int kCaps[] = {CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
                           CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
                           CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
                           CAP_KILL,    CAP_AUDIT_WRITE};
  uint64_t mask = 0;
  for (int cap : kCaps) mask |= uint64_t{1} << cap;
  return mask;
}

uint64_t AllCapabilities() {
  const int last = LastCapability();
  return last >= 63 ? ~uint64_t{0} : (uint64_t{1} << (last + 1)) - 1;
}

Result<uint64_t> CapabilityByName(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "all") return AllCapabilities();
  if (!lower.starts_with("cap_")) lower = "cap_" + lower;
  cap_value_t value;
  if (lower.size() > 4 && cap_from_name(lower.c_str(), &value) == 0 && value >= 0 &&
      value <= LastCapability()) {
    return uint64_t{1} << value;
  }
  return Fail(ErrorCode::kInvalidArgument, "unknown capability: " + std::string(name));
}

std::vector<std::string> CapabilityNames(uint64_t mask) {
  std::vector<std::string> out;
  for (int cap = 0; cap < 64; ++cap) {
    if (!(mask & (uint64_t{1} << cap))) continue;
    char* name = cap_to_name(static_cast<cap_value_t>(cap));
    out.push_back(name ? name : "cap_" + std::to_string(cap));
    if (name) cap_free(name);
  }
  return out;
}

int LastCapability() {
  if (auto text = ReadFile("/proc/sys/kernel/cap_last_cap")) {
    int last = std::atoi(text->c_str());
    if (last > 0 && last < 64) return last;
  }
  return CAP_LAST_CAP;
}

int DropBoundingSet(uint64_t mask, int last_cap, const char** what) {
  for (int cap = 0; cap <= last_cap; ++cap) {
    if (mask & (uint64_t{1} << cap)) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      *what = "drop bounding capability";
      return errno;
    }
  }
  return 0;
}

int SetCapabilities(uint64_t mask, const char** what) {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[2]{};
  for (int i = 0; i < 2; ++i) {
    const auto word = static_cast<uint32_t>(mask >> (32 * i));
    data[i].effective = word;
    data[i].permitted = word;
    data[i].inheritable = word;
  }
  if (::syscall(SYS_capset, &header, data) != 0) {
    *what = "capset";
    return errno;
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    *what = "clear ambient capabilities";
    return errno;
  }
  return 0;
}

}  // namespace builder::sandbox
