// Tests for running a program as root of a new user namespace (builder's rootless re-exec).
#include "sandbox/user_namespace_reexec.h"

#include <doctest/doctest.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

namespace builder::sandbox {
namespace {

constexpr int kNobody = 65534;

// Runs `body` in a forked child switched to nobody (which can make a single-id user namespace
// itself) and returns its exit code; -1 when the switch failed or the child did not exit.
int AsNobody(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) {
      ::_exit(90);
    }
    // setuid without exec left us non-dumpable: /proc/<child>/uid_map would stay root's.
    if (::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) ::_exit(91);
    ::_exit(body());
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// RunInUserNamespace of `sh -c script` with nobody's single-id maps: its exit code, or 100 on
// an error.
int RunScript(const char* script) {
  const IdMaps maps = ComputeIdMaps(kNobody, kNobody, {}, {}, false);
  char* argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"), const_cast<char*>(script),
                  nullptr};
  auto code = RunInUserNamespace(maps, "/bin/sh", argv);
  return code ? *code : 100;
}

// True while `pid` exists and is not a zombie.
bool Running(pid_t pid) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return false;
  char buf[512] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  const std::string stat(buf, n);
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

// Needs root (to become nobody) and user namespaces for nobody.
bool CanTest() {
  if (::geteuid() != 0) return false;
  const int probe = AsNobody([] { return RunScript("exit 0"); });
  if (probe != 0) MESSAGE("skipped: a user namespace as nobody failed (" << probe << ")");
  return probe == 0;
}

}  // namespace

TEST_CASE("UserNamespaceReexecMaps: root and the re-executed builder stay as they are") {
  const char* old = std::getenv(kUserNamespaceMarker);
  const std::string saved = old ? old : "";
  REQUIRE(::setenv(kUserNamespaceMarker, "1", 1) == 0);
  auto marked = UserNamespaceReexecMaps();
  if (old) {
    ::setenv(kUserNamespaceMarker, saved.c_str(), 1);
  } else {
    ::unsetenv(kUserNamespaceMarker);
  }
  REQUIRE(marked);
  CHECK_FALSE(marked->has_value());
  if (::geteuid() == 0 && !old) {
    auto root = UserNamespaceReexecMaps();
    REQUIRE(root);
    CHECK_FALSE(root->has_value());
  }
}

TEST_CASE("RunInUserNamespace: the program is uid 0 of a namespace with the maps, marked") {
  if (!CanTest()) return;
  const char* script =
      "[ \"$(id -u):$(id -g)\" = 0:0 ] || exit 11; "
      "set -- $(cat /proc/self/uid_map); [ \"$1 $2 $3\" = '0 65534 1' ] || exit 12; "
      "[ \"$BUILDER_USERNS\" = 1 ] || exit 13; "
      "grep -q '^CapEff:.*[1-9a-f]' /proc/self/status || exit 14; "
      "exit 7";
  CHECK(AsNobody([script] { return RunScript(script); }) == 7);
}

TEST_CASE("RunInUserNamespace: a signal ending the program gives 128+n") {
  if (!CanTest()) return;
  CHECK(AsNobody([] { return RunScript("kill -TERM $$"); }) == 128 + SIGTERM);
}

TEST_CASE("RunInUserNamespace forwards SIGTERM sent to the waiting parent") {
  if (!CanTest()) return;
  // The program signals its parent (the waiter, outside the namespace) and waits for the
  // forwarded signal; without forwarding it gives up after about a minute with 3.
  const char* script =
      "trap 'exit 9' TERM; kill -TERM $PPID; i=0; "
      "while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; exit 3";
  CHECK(AsNobody([script] { return RunScript(script); }) == 9);
}

TEST_CASE("RunInUserNamespace: the program dies with its parent") {
  if (!CanTest()) return;
  // The program kills its parent outright and waits to be killed in turn; it writes its pid
  // first so the test can tell whether it survived.
  char tmpl[] = "/tmp/builder-userns-test-XXXXXX";
  int fd = ::mkstemp(tmpl);
  REQUIRE(fd >= 0);
  ::close(fd);
  REQUIRE(::chmod(tmpl, 0666) == 0);
  const std::string script = std::string("echo $$ > ") + tmpl +
                             "; kill -KILL $PPID; i=0; "
                             "while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done";
  CHECK(AsNobody([&script] { return RunScript(script.c_str()); }) == -1);  // killed
  std::string text;
  if (FILE* f = std::fopen(tmpl, "r")) {
    char buf[32] = {};
    if (std::fgets(buf, sizeof buf, f)) text = buf;
    std::fclose(f);
  }
  ::unlink(tmpl);
  const pid_t program = static_cast<pid_t>(std::atoi(text.c_str()));
  REQUIRE(program > 0);
  // The orphan goes to init, which may reap it late: a zombie counts as dead.
  for (int i = 0; i < 600 && Running(program); ++i) ::usleep(100000);
  CHECK_FALSE(Running(program));
}

TEST_CASE("RunInUserNamespace reports a program that cannot run and maps that are refused") {
  if (!CanTest()) return;
  CHECK(AsNobody([] {
          const IdMaps maps = ComputeIdMaps(kNobody, kNobody, {}, {}, false);
          char* argv[] = {const_cast<char*>("missing"), nullptr};
          auto code = RunInUserNamespace(maps, "/nonexistent/program", argv);
          if (code) return 1;
          const std::string text = code.error().Describe();
          if (text.find("/nonexistent/program") == std::string::npos) return 2;
          return text.find("as root of the user namespace") == std::string::npos ? 3 : 0;
        }) == 0);
  // nobody may not map host root into its namespace.
  CHECK(AsNobody([] {
          IdMaps maps = ComputeIdMaps(kNobody, kNobody, {}, {}, false);
          maps.uids = {{0, 0, 1}};
          char* argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                          const_cast<char*>("exit 0"), nullptr};
          auto code = RunInUserNamespace(maps, "/bin/sh", argv);
          if (code) return 1;
          return code.error().Describe().find("write the id maps") == std::string::npos ? 2 : 0;
        }) == 0);
}

}  // namespace builder::sandbox
