// BuildSecrets (--secret/--ssh as buildx reads them) and SecretMounts (one RUN's share of them).
#include "executor/build_secrets.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "executor/secret_mounts.h"

namespace builder::executor {
namespace {

std::string TempFile(const std::string& content) {
  char templ[] = "/tmp/build-secrets-test-XXXXXX";
  int fd = mkstemp(templ);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  close(fd);
  return templ;
}

TEST_CASE("--secret: src, env, and id alone as buildx") {
  std::string file = TempFile("from-file");
  setenv("BUILD_SECRETS_TEST_VAR", "from-env", 1);
  BuildSecrets s;
  REQUIRE(s.AddSecret("id=a,src=" + file));
  REQUIRE(s.AddSecret("id=b,env=BUILD_SECRETS_TEST_VAR"));
  REQUIRE(s.AddSecret("type=env,id=c,src=BUILD_SECRETS_TEST_VAR"));
  REQUIRE(s.AddSecret("id=BUILD_SECRETS_TEST_VAR"));  // the variable of that name
  REQUIRE(s.AddSecret("id=d,source=" + file));
  CHECK(*s.secret("a") == "from-file");
  CHECK(*s.secret("b") == "from-env");
  CHECK(*s.secret("c") == "from-env");
  CHECK(*s.secret("BUILD_SECRETS_TEST_VAR") == "from-env");
  CHECK(*s.secret("d") == "from-file");
  CHECK(s.secret("nope") == nullptr);
  CHECK(!s.dir().empty());
  struct stat st;
  REQUIRE(stat(s.dir().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  auto bad = s.AddSecret("id=x,what=1");
  REQUIRE(!bad);
  CHECK(bad.error().ToString().find("unexpected key 'what'") != std::string::npos);
  CHECK(!s.AddSecret("src=" + file));  // no id
  CHECK(!s.AddSecret("id=x,type=other"));
  auto unset = s.AddSecret("id=x,env=BUILD_SECRETS_TEST_UNSET");
  REQUIRE(!unset);
  CHECK(unset.error().ToString().find("BUILD_SECRETS_TEST_UNSET is not set") != std::string::npos);
  auto missing = s.AddSecret("id=x,src=/nonexistent/secret");
  REQUIRE(!missing);
  CHECK(missing.error().ToString().find("/nonexistent/secret") != std::string::npos);
  unlink(file.c_str());
}

TEST_CASE("SecretMounts: files, env, required and optional ids") {
  std::string file = TempFile("value-42");
  std::string dir;
  {
    BuildSecrets s;
    REQUIRE(s.AddSecret("id=tok,src=" + file));
    dir = s.dir();
    planner::RunStep run;
    planner::RunMount m;
    m.type = "secret";
    m.secret_id = "tok";
    m.target = "/run/secrets/tok";
    m.mode = 0400;
    m.secret_env = "TOKEN";
    run.mounts.push_back(m);
    planner::RunMount optional = m;
    optional.secret_id = "absent";
    run.mounts.push_back(optional);
    planner::RunMount ssh;
    ssh.type = "ssh";
    ssh.secret_id = "default";
    ssh.target = "/run/buildkit/ssh_agent.0";
    run.mounts.push_back(ssh);
    std::string host;
    {
      auto mounts = SecretMounts::Prepare(&s, run);
      REQUIRE_MESSAGE(mounts, (mounts ? "" : mounts.error().ToString()));
      REQUIRE(mounts->binds().size() == 1);
      CHECK(mounts->binds()[0].destination == "/run/secrets/tok");
      CHECK(mounts->binds()[0].read_only);
      host = mounts->binds()[0].source;
      CHECK(host.starts_with(dir + "/"));
      CHECK(*ReadFile(host) == "value-42");
      struct stat st;
      REQUIRE(stat(host.c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0400);
      REQUIRE(mounts->env().size() == 1);
      CHECK(mounts->env()[0] == "TOKEN=value-42");
    }
    CHECK(access(host.c_str(), F_OK) != 0);  // gone with its RUN

    run.mounts[1].required = true;
    auto refused = SecretMounts::Prepare(&s, run);
    REQUIRE(!refused);
    CHECK(refused.error().ToString().find("secret absent: not found") != std::string::npos);
    CHECK(refused.error().ToString().find("value-42") == std::string::npos);
    run.mounts[1].required = false;
    run.mounts[2].required = true;
    auto no_ssh = SecretMounts::Prepare(&s, run);
    REQUIRE(!no_ssh);
    CHECK(no_ssh.error().ToString().find("no SSH key \"default\"") != std::string::npos);
    auto none = SecretMounts::Prepare(nullptr, planner::RunStep{});
    CHECK(none);
  }
  CHECK(access(dir.c_str(), F_OK) != 0);  // the private dir goes with the build
  unlink(file.c_str());
}

}  // namespace
}  // namespace builder::executor
