// The default seccomp policy: compiled to BPF in the parent, installed by the child before exec.
#pragma once

#include <linux/filter.h>

#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::sandbox {

/// BPF programs to install in order (seccomp stacks them; the strictest verdict wins).
struct SeccompProgram {
  std::vector<std::vector<sock_filter>> filters;
};

/// The syscalls denied outright with EPERM: Docker's blocked set for a container without
/// CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_SYS_TIME, CAP_SYS_NICE, CAP_SYS_PTRACE... (kernel
/// keyring, bpf, module and kexec loading, mount APIs, pivot_root, swap, reboot, clock setting,
/// io ports, quotas, perf, userfaultfd, file handles, setns, NUMA policy, io_uring, syslog...).
/// Names unknown on this architecture are skipped.
const std::vector<std::string_view>& DeniedSyscalls();

/// The default policy, a deny-list in the spirit of Docker's default profile (Docker's profile
/// is an allow-list; this one allows every syscall not listed, so new harmless syscalls work):
///  - DeniedSyscalls() return EPERM;
///  - clone with any CLONE_NEW* flag and unshare of any namespace return EPERM (no new user
///    namespace, hence no route to a fresh CAP_SYS_ADMIN); clone3 returns ENOSYS because its
///    flags sit behind a pointer, so libcs fall back to clone;
///  - personality other than 0, PER_LINUX32 (8), ADDR_NO_RANDOMIZE (0x20000), both (0x20008)
///    and the 0xffffffff query returns EPERM (native architecture only);
///  - ptrace, process_vm_readv/writev stay allowed as in Docker on kernels >= 4.8, where
///    ptrace can no longer bypass seccomp.
/// The native architecture plus, on x86_64, x86 and x32 are covered; other architectures are
/// killed (libseccomp's default for a foreign arch).
[[nodiscard]] Result<SeccompProgram> BuildDefaultSeccompProgram();

/// The BPF of a libseccomp filter context (a scmp_filter_ctx), for SeccompProgram::filters.
[[nodiscard]] Result<std::vector<sock_filter>> ExportSeccompBpf(void* ctx);

/// Child side, async-signal-safe: installs every filter (PR_SET_NO_NEW_PRIVS must already be
/// set). Returns 0 or the errno of the failing prctl.
int InstallSeccomp(const SeccompProgram& program);

}  // namespace builder::sandbox
