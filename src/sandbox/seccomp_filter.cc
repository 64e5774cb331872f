// The default seccomp policy: compiled to BPF in the parent, installed by the child before exec.
#include "sandbox/seccomp_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "base/unique_fd.h"

namespace builder::sandbox {
namespace {

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using UniqueCtx = std::unique_ptr<void, CtxDeleter>;

constexpr uint64_t kNamespaceFlags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,   CLONE_NEWUSER,
                                        CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};

Result<void> Check(int rc, std::string_view what) {
  if (rc < 0) return FailErrno("seccomp: " + std::string(what), -rc);
  return {};
}

// libseccomp 2.5 cannot compare one argument against several values in one rule, so the
// personality allow-set is a small hand-written filter stacked on top.
std::vector<sock_filter> PersonalityFilter() {
#if defined(__x86_64__)
  constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
  return {};
#endif
  constexpr uint32_t kAllowed[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
  constexpr uint8_t kN = std::size(kAllowed);
  std::vector<sock_filter> f;
  // Foreign arch or another syscall: allow (the main filter decides). Jump offsets count from
  // the next instruction; `allow` (index 6 + kN) is the last instruction, `deny` before it.
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 0, 4 + kN));
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_personality, 0, 2 + kN));
  // The kernel takes personality's argument as an unsigned int: the low word decides.
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
  for (uint8_t i = 0; i < kN; ++i) {
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAllowed[i], static_cast<uint8_t>(kN - i), 0));
  }
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return f;
}

}  // namespace

Result<std::vector<sock_filter>> ExportSeccompBpf(void* ctx) {
  UniqueFd fd(::memfd_create("seccomp-bpf", MFD_CLOEXEC));
  if (!fd) return FailErrno("seccomp: memfd_create", errno);
  BUILDER_TRY(Check(seccomp_export_bpf(ctx, fd.get()), "export bpf"));
  off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size < 0 || size % sizeof(sock_filter) != 0) {
    return Fail(ErrorCode::kInternal, "seccomp: exported bpf has a bad size");
  }
  std::vector<sock_filter> out(static_cast<size_t>(size) / sizeof(sock_filter));
  if (::pread(fd.get(), out.data(), static_cast<size_t>(size), 0) != size) {
    return FailErrno("seccomp: read exported bpf", errno);
  }
  return out;
}

const std::vector<std::string_view>& DeniedSyscalls() {
  // clang-format off
  static const std::vector<std::string_view> kDenied = {
      "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module",
      "delete_module", "fanotify_init", "finit_module", "fsconfig", "fsmount", "fsopen",
      "fspick", "get_kernel_syms", "get_mempolicy", "init_module", "io_uring_enter",
      "io_uring_register", "io_uring_setup", "ioperm", "iopl", "kcmp", "kexec_file_load",
      "kexec_load", "keyctl", "lookup_dcookie", "mbind", "mount", "mount_setattr",
      "move_mount", "move_pages", "name_to_handle_at", "nfsservctl", "open_by_handle_at",
      "open_tree", "perf_event_open", "pivot_root", "query_module", "quotactl", "quotactl_fd",
      "reboot", "request_key", "set_mempolicy", "setns", "settimeofday", "stime", "swapoff",
      "swapon", "_sysctl", "sysfs", "syslog", "umount", "umount2", "uselib", "userfaultfd",
      "ustat", "vm86", "vm86old",
  };
  // clang-format on
  return kDenied;
}

Result<SeccompProgram> BuildDefaultSeccompProgram() {
  UniqueCtx ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return Fail(ErrorCode::kInternal, "seccomp: seccomp_init failed");
  // The filter is exported and installed by hand; libseccomp must not touch NO_NEW_PRIVS.
  BUILDER_TRY(Check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0), "attr nnp"));
#if defined(__x86_64__)
  for (uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
    int rc = seccomp_arch_add(ctx.get(), arch);
    if (rc < 0 && rc != -EEXIST) return FailErrno("seccomp: add arch", -rc);
  }
#endif
  const auto deny = SCMP_ACT_ERRNO(EPERM);
  for (std::string_view name : DeniedSyscalls()) {
    const int nr = seccomp_syscall_resolve_name(std::string(name).c_str());
    if (nr == __NR_SCMP_ERROR) continue;
    BUILDER_TRY(Check(seccomp_rule_add(ctx.get(), deny, nr, 0), "deny " + std::string(name)));
  }
  for (uint64_t flag : kNamespaceFlags) {
    BUILDER_TRY(Check(seccomp_rule_add(ctx.get(), deny, SCMP_SYS(clone), 1,
                                       SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)),
                      "deny clone of namespaces"));
    BUILDER_TRY(Check(seccomp_rule_add(ctx.get(), deny, SCMP_SYS(unshare), 1,
                                       SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)),
                      "deny unshare of namespaces"));
  }
  BUILDER_TRY(
      Check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0), "clone3"));
  SeccompProgram program;
  program.filters.push_back(BUILDER_TRY(ExportSeccompBpf(ctx.get())));
  if (auto personality = PersonalityFilter(); !personality.empty()) {
    program.filters.push_back(std::move(personality));
  }
  return program;
}

int InstallSeccomp(const SeccompProgram& program) {
  for (const auto& filter : program.filters) {
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(filter.size());
    prog.filter = const_cast<sock_filter*>(filter.data());
    if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) return errno;
  }
  return 0;
}

}  // namespace builder::sandbox
