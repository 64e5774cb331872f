// Child processes: fork/exec with an error pipe, and a poll loop that captures output.
#include "base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace builder {

std::string ExitStatus::ToString() const {
  if (signal) return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "exit code " + std::to_string(code);
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)),
      stderr_(std::move(other.stderr_)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    this->~Child();
    new (this) Child(std::move(other));
  }
  return *this;
}

Child::~Child() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

Result<ExitStatus> Child::Wait() {
  stdin_.Reset();
  int status = 0;
  for (;;) {
    if (::waitpid(pid_, &status, 0) >= 0) break;
    if (errno != EINTR) return FailErrno("waitpid", errno);
  }
  pid_ = -1;
  ExitStatus out;
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
  else out.code = WEXITSTATUS(status);
  return out;
}

Result<Child> Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return Fail(ErrorCode::kInvalidArgument, "spawn: empty argv");
  std::optional<Pipe> in, out, err;
  if (options.pipe_stdin) in = BUILDER_TRY(MakePipe());
  if (options.pipe_stdout) out = BUILDER_TRY(MakePipe());
  if (options.pipe_stderr) err = BUILDER_TRY(MakePipe());
  Pipe exec_err = BUILDER_TRY(MakePipe());

  // Everything the child needs is built before fork: after fork only async-signal-safe calls.
  std::vector<char*> argv;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (options.env) {
    for (const auto& e : *options.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }

  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return FailErrno("fork", errno);
  if (pid == 0) {
    if (options.parent_death_signal != 0) {
      ::prctl(PR_SET_PDEATHSIG, options.parent_death_signal);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    }
    // An ignored SIGPIPE (ours) would be inherited through exec; programs expect the default
    // (pasta even refuses to start without it), as Python's subprocess restores it.
    ::signal(SIGPIPE, SIG_DFL);
    if (in) ::dup2(in->read.get(), 0);
    if (out) ::dup2(out->write.get(), 1);
    else if (options.output_fd >= 0) ::dup2(options.output_fd, 1);
    if (err) ::dup2(err->write.get(), 2);
    else if (options.output_fd >= 0) ::dup2(options.output_fd, 2);
    int e = 0;
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) {
      e = errno;
    } else {
      if (options.env) ::execvpe(argv[0], argv.data(), envp.data());
      else ::execvp(argv[0], argv.data());
      e = errno;
    }
    (void)!::write(exec_err.write.get(), &e, sizeof e);
    ::_exit(127);
  }

  Child child;
  child.pid_ = pid;
  if (in) child.stdin_ = std::move(in->write);
  if (out) child.stdout_ = std::move(out->read);
  if (err) child.stderr_ = std::move(err->read);
  exec_err.write.Reset();
  int e = 0;
  ssize_t n;
  do n = ::read(exec_err.read.get(), &e, sizeof e);
  while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof e)) {
    (void)child.Wait();
    return FailErrno((options.cwd.empty() ? "" : "in " + options.cwd + ": ") + "execute " + options.argv[0], e);
  }
  return child;
}

Result<RunResult> RunProcess(SpawnOptions options, std::string_view input) {
  Child child = BUILDER_TRY(Spawn(options));
  RunResult result;
  if (child.stdin_fd()) ::fcntl(child.stdin_fd().get(), F_SETFL, O_NONBLOCK);
  for (;;) {
    pollfd fds[3];
    std::string* sinks[3] = {nullptr, nullptr, nullptr};
    int n = 0;
    if (child.stdout_fd()) fds[n] = {child.stdout_fd().get(), POLLIN, 0}, sinks[n++] = &result.out;
    if (child.stderr_fd()) fds[n] = {child.stderr_fd().get(), POLLIN, 0}, sinks[n++] = &result.err;
    if (child.stdin_fd()) {
      if (input.empty()) child.stdin_fd().Reset();
      else fds[n++] = {child.stdin_fd().get(), POLLOUT, 0};
    }
    if (n == 0) break;
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      return FailErrno("poll", errno);
    }
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (!sinks[i]) {  // stdin
        ssize_t w = ::write(fds[i].fd, input.data(), input.size());
        if (w > 0) input.remove_prefix(static_cast<size_t>(w));
        else if (w < 0 && errno != EAGAIN && errno != EINTR) child.stdin_fd().Reset();  // EPIPE: child stopped reading
        continue;
      }
      char buf[1 << 15];
      ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        sinks[i]->append(buf, static_cast<size_t>(r));
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        (sinks[i] == &result.out ? child.stdout_fd() : child.stderr_fd()).Reset();
      }
    }
  }
  result.status = BUILDER_TRY(child.Wait());
  return result;
}

}  // namespace builder
