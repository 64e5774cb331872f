// The sandbox's child side: namespace setup, then pid 1 running the command; and its messages.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "sandbox/inherited_strings.h"
#include "sandbox/mount_plan.h"
#include "sandbox/sandbox_spec.h"
#include "sandbox/seccomp_filter.h"

namespace builder::sandbox {

/// Messages on the SOCK_SEQPACKET pair between the parent and the sandbox's init, one per
/// packet, fixed size so the child never allocates.
enum class MessageType : uint32_t {
  kGo = 1,      ///< parent -> child: id maps are written, go on
  kCreated,     ///< child: `text` (relative to the rootfs) was created in the upper dir
  kSetupError,  ///< child: `text` failed with `err`; the child exits
  kExecError,   ///< child: execve of the command failed with `err`
  kStarted,     ///< child: the command is running
  kExited,      ///< child: the command ended with `code` / `signal`
  kPtyMaster,   ///< child: carries the pty master fd (SCM_RIGHTS), before kStarted/kExecing
  kExecing,     ///< child (command_is_pid1): about to exec; the socket's EOF then means started
};

struct Message {
  MessageType type = MessageType::kGo;
  int32_t err = 0;
  int32_t code = 0;
  int32_t signal = 0;
  char text[4096] = {};
};

/// Everything the child reads, prepared by the parent before clone3. The child only reads it
/// (copied memory), so no allocation happens after the clone.
struct ChildPlan {
  const SandboxSpec* spec = nullptr;
  const MountPlan* mounts = nullptr;
  const SeccompProgram* seccomp = nullptr;
  std::string merged_dir;  ///< host dir the overlay is mounted on before pivot_root
  int sock = -1;           ///< child's end of the socket pair
  int upper_fd = -1;       ///< O_PATH fd of the upper dir: tells what a mount point creation added
  int stdin_fd = -1;       ///< all >= 3, so dup2 onto 0..2 never clobbers one of them
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool setgroups_allowed = true;
  InheritedStrings inherited;  ///< the builder's argv/environ, scrubbed from the init's copy
  uint64_t capabilities = 0;  ///< AllCapabilities() when privileged
  int last_cap = 40;
  std::vector<std::string> exec_candidates;  ///< full paths tried in order (PATH lookup)
  std::vector<char*> argv;                   ///< null-terminated
  std::vector<char*> envp;                   ///< null-terminated
};

// Parent-side helpers shared by Sandbox and ExecIn (defined in sandbox.cc).

/// The full paths to try for argv[0]: itself when it has a '/', else each entry of env's PATH
/// (Docker's default PATH when env has none).
std::vector<std::string> ExecCandidates(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env);
/// Receives one message; an fd passed with it (SCM_RIGHTS) lands in *fd when fd is not null.
/// nullopt when every other end is closed (the child exited or exec'd).
[[nodiscard]] Result<std::optional<Message>> ReceiveMessage(int sock, UniqueFd* fd);
/// The text of a message, up to its NUL.
std::string MessageText(const Message& m);
/// The error for a kExecError message: kNotFound, kPermission or kIo with the errno.
Error ExecError(const Message& m);
/// The seccomp filters for these settings: none when privileged or unconfined. Compiled
/// programs are kept in `cache_dir` (seccomp_cache.h) unless it is empty.
[[nodiscard]] Result<SeccompProgram> SeccompFor(bool privileged, SeccompMode mode,
                                                const std::string& profile, uint64_t caps,
                                                const std::string& cache_dir);

/// Child side, async-signal-safe: sends `fd` as a kPtyMaster message. 0 or the errno.
int SendPtyMaster(int sock, int fd);

/// The clone3 body: scrubs the builder's argv and environment from its memory, waits for kGo,
/// makes itself non-dumpable (the command, same uid, may not read the builder's memory through
/// /proc/1/{mem,environ,...}), sets up hostname, loopback, mounts, pivot_root, cwd, ids,
/// capabilities, no_new_privs and seccomp, then as pid 1 forks the command, forwards SIGTERM,
/// SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH to it, reaps every zombie, reports the
/// command's status and exits, which kills what is left in the pid namespace. `plan` is a
/// const ChildPlan*. With spec.command_is_pid1 it execs the command itself instead.
void RunChildInit(const void* plan);

/// Child side, async-signal-safe: execve's each full path in order (the PATH lookup's
/// candidates); returns only on failure, with the errno to report (EACCES when a candidate was
/// found but not executable and none ran).
int ExecCandidatesInOrder(const std::vector<std::string>& candidates, char* const* argv,
                          char* const* envp);

}  // namespace builder::sandbox
