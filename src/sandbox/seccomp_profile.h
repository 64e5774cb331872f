// Docker seccomp JSON profiles (docker run --security-opt seccomp=FILE) compiled to BPF.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "sandbox/seccomp_filter.h"

namespace builder::sandbox {

/// Compiles a Docker/OCI seccomp profile: defaultAction (+ defaultErrnoRet), architectures
/// (SCMP_ARCH_*; the native one is always covered), syscalls[] with names (or name), action,
/// errnoRet, args[] {index, value, valueTwo, op}, and includes/excludes on caps and arches
/// (decided against `capabilities`, the command's set; minKernel is taken as met).
/// Actions: SCMP_ACT_ALLOW, ERRNO, KILL, KILL_PROCESS, KILL_THREAD, TRAP, LOG; args using the
/// same index twice become separate rules (OR), as runc does. Unknown syscall names are
/// skipped. Errors: kParse for malformed JSON or an unknown action/op/architecture.
[[nodiscard]] Result<SeccompProgram> BuildSeccompProgramFromProfile(std::string_view json,
                                                                    uint64_t capabilities);

}  // namespace builder::sandbox
