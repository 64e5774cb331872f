// Tests for spawning, capturing output, exit statuses and exec failures.
#include <doctest/doctest.h>

#include <csignal>

#include "base/subprocess.h"

namespace builder {
namespace {

TEST_CASE("captures stdout and stderr separately and reports the exit code") {
  auto r = RunProcess({.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"},
                       .pipe_stdout = true, .pipe_stderr = true});
  REQUIRE(r);
  CHECK(r->out == "out\n");
  CHECK(r->err == "err\n");
  CHECK(r->status.code == 3);
  CHECK_FALSE(r->status.ok());
  CHECK(r->status.ToString() == "exit code 3");
}

TEST_CASE("feeds stdin larger than a pipe buffer") {
  std::string input(1 << 20, 'q');
  auto r = RunProcess({.argv = {"wc", "-c"}, .pipe_stdin = true, .pipe_stdout = true}, input);
  REQUIRE(r);
  CHECK(r->out == "1048576\n");
}

TEST_CASE("environment and working directory") {
  auto r = RunProcess({.argv = {"sh", "-c", "echo $FOO; pwd"}, .env = std::vector<std::string>{"FOO=bar", "PATH=/usr/bin:/bin"},
                       .cwd = "/tmp", .pipe_stdout = true});
  REQUIRE(r);
  CHECK(r->out == "bar\n/tmp\n");
}

TEST_CASE("a missing program is an error, not exit code 127") {
  auto r = RunProcess({.argv = {"/nonexistent/program"}});
  REQUIRE_FALSE(r);
  CHECK(r.error().ToString() == "execute /nonexistent/program: No such file or directory");
}

TEST_CASE("signals are reported") {
  auto r = RunProcess({.argv = {"sh", "-c", "kill -TERM $$"}});
  REQUIRE(r);
  CHECK(r->status.signal == SIGTERM);
  CHECK(r->status.ToString() == "killed by signal 15 (Terminated)");
}

TEST_CASE("an unwaited child is killed and reaped by the destructor") {
  pid_t pid;
  {
    auto c = Spawn({.argv = {"sleep", "100"}});
    REQUIRE(c);
    pid = c->pid();
  }
  CHECK(kill(pid, 0) != 0);
}

}  // namespace
}  // namespace builder
