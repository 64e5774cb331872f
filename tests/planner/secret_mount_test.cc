// PlanSecretMount: BuildKit's ids, default targets and modes for secret and ssh mounts.
#include "planner/secret_mount.h"

#include <doctest/doctest.h>

namespace builder::planner {
namespace {

RunMount Plan(const std::string& text, const std::string& wd = "/", int* ssh_index = nullptr) {
  int local = 0;
  auto spec = parser::ParseMountSpec(text);
  REQUIRE_MESSAGE(spec, (spec ? "" : spec.error().ToString()));
  auto m = PlanSecretMount(*spec, wd, ssh_index ? ssh_index : &local);
  REQUIRE_MESSAGE(m, (m ? "" : m.error().ToString()));
  return *m;
}

TEST_CASE("secret mounts: id, target and mode defaults") {
  RunMount a = Plan("type=secret,id=npmrc");
  CHECK(a.secret_id == "npmrc");
  CHECK(a.target == "/run/secrets/npmrc");
  CHECK(a.mode == 0400);
  CHECK(a.uid == 0);
  CHECK(!a.required);
  RunMount b = Plan("type=secret,target=conf/key.pem,required,mode=0440,uid=7,gid=8", "/app");
  CHECK(b.secret_id == "key.pem");  // the target's base name
  CHECK(b.target == "/app/conf/key.pem");
  CHECK(b.mode == 0440);
  CHECK(b.uid == 7);
  CHECK(b.gid == 8);
  CHECK(b.required);
  RunMount c = Plan("type=secret,id=tok,env=TOKEN");
  CHECK(c.secret_env == "TOKEN");
  CHECK(c.target.empty());  // env only: no file
  RunMount d = Plan("type=secret,id=tok,env=TOKEN,target=/t");
  CHECK(d.target == "/t");
  RunMount e = Plan("type=secret,source=src-id");
  CHECK(e.secret_id == "src-id");
}

TEST_CASE("ssh mounts: default id, numbered default targets") {
  int n = 0;
  RunMount a = Plan("type=ssh", "/", &n);
  CHECK(a.secret_id == "default");
  CHECK(a.target == "/run/buildkit/ssh_agent.0");
  CHECK(a.mode == 0600);
  RunMount b = Plan("type=ssh,id=gh,required=true", "/", &n);
  CHECK(b.secret_id == "gh");
  CHECK(b.target == "/run/buildkit/ssh_agent.1");
  CHECK(b.required);
  RunMount c = Plan("type=ssh,target=/s.sock,mode=0666,uid=1000", "/", &n);
  CHECK(c.target == "/s.sock");
  CHECK(c.mode == 0666);
  CHECK(c.uid == 1000);
  CHECK(n == 2);
}

}  // namespace
}  // namespace builder::planner
