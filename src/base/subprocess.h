// Starting external programs: an RAII child handle and a run-and-capture helper.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace builder {

/// How a child ended.
struct ExitStatus {
  int code = 0;    ///< exit code, valid when signal == 0
  int signal = 0;  ///< terminating signal, 0 when it exited
  bool ok() const { return signal == 0 && code == 0; }
  std::string ToString() const;  ///< "exit code 3" or "killed by signal 9 (Killed)"
};

struct SpawnOptions {
  std::vector<std::string> argv;                 ///< argv[0] is looked up in PATH
  std::optional<std::vector<std::string>> env;   ///< "K=V" entries; nullopt inherits ours
  std::string cwd;                               ///< empty: inherit
  bool pipe_stdin = false;
  bool pipe_stdout = false;
  bool pipe_stderr = false;
  /// When >= 0 (and the stream is not piped): the child's stdout and stderr; the caller keeps it.
  int output_fd = -1;
  /// When non-zero: the signal the child gets when the calling thread ends (PR_SET_PDEATHSIG), so
  /// a helper (pasta) cannot outlive its owner even after SIGKILL.
  int parent_death_signal = 0;
};

/// A running child. The destructor kills (SIGKILL) and reaps a child that was not waited for,
/// so no early return leaves a stray process behind.
class Child {
 public:
  Child() = default;
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  pid_t pid() const { return pid_; }
  UniqueFd& stdin_fd() { return stdin_; }
  UniqueFd& stdout_fd() { return stdout_; }
  UniqueFd& stderr_fd() { return stderr_; }

  [[nodiscard]] Result<ExitStatus> Wait();

 private:
  friend Result<Child> Spawn(const SpawnOptions& options);
  pid_t pid_ = -1;
  UniqueFd stdin_, stdout_, stderr_;
};

/// Starts a child. Fails if the program cannot be executed (the exec error comes back
/// through a CLOEXEC pipe, so "not found" is an error here rather than exit code 127).
[[nodiscard]] Result<Child> Spawn(const SpawnOptions& options);

struct RunResult {
  ExitStatus status;
  std::string out;  ///< captured stdout when pipe_stdout was set
  std::string err;  ///< captured stderr when pipe_stderr was set
};

/// Runs to completion, feeding `input` to stdin when pipe_stdin is set and collecting output.
[[nodiscard]] Result<RunResult> RunProcess(SpawnOptions options, std::string_view input = {});

}  // namespace builder
