// RUN --mount option parsing: CSV, keys, per-type rules, deferred checks for variables.
#include "parser/mount_spec.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::parser {
namespace {

MountSpec Ok(std::string_view s) {
  auto r = ParseMountSpec(s);
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message()));
  return *r;
}

std::string Err(std::string_view s) {
  auto r = ParseMountSpec(s);
  REQUIRE_FALSE_MESSAGE(r.has_value(), std::string(s));
  return r.error().message();
}

TEST_CASE("types and defaults") {
  MountSpec bind = Ok("target=/src");
  CHECK(bind.type == "bind");
  CHECK(bind.target == "/src");
  CHECK(bind.read_only);
  CHECK_FALSE(bind.read_only_set);
  CHECK(bind.text == "target=/src");
  MountSpec cache =
      Ok("type=cache,target=/root/"
         ".cache,id=pip,sharing=locked,mode=0755,uid=1000,gid=1000,from=base,source=/c");
  CHECK(cache.type == "cache");
  CHECK_FALSE(cache.read_only);
  CHECK(cache.id == "pip");
  CHECK(cache.sharing == "locked");
  CHECK(cache.mode == "0755");
  CHECK(cache.uid == "1000");
  CHECK(cache.gid == "1000");
  CHECK(cache.from == "base");
  CHECK(cache.source == "/c");
  MountSpec tmpfs = Ok("type=tmpfs,dst=/tmp,size=64m");
  CHECK_FALSE(tmpfs.read_only);
  CHECK(tmpfs.target == "/tmp");
  CHECK(tmpfs.size == "64m");
  MountSpec secret = Ok("type=secret,id=npmrc,target=/root/.npmrc,required,mode=0400");
  CHECK(secret.required);
  CHECK(secret.read_only);
  MountSpec env = Ok("type=secret,id=tok,env=TOKEN,required=false");
  CHECK(env.env == "TOKEN");
  CHECK_FALSE(env.required);
  MountSpec ssh = Ok("type=ssh");
  CHECK(ssh.type == "ssh");
  CHECK(ssh.target.empty());
  CHECK(Ok("type=CACHE,destination=/x,Sharing=Private").sharing == "private");
}

TEST_CASE("read-only switches") {
  CHECK_FALSE(Ok("target=/a,rw").read_only);
  CHECK_FALSE(Ok("target=/a,readwrite").read_only);
  CHECK_FALSE(Ok("target=/a,rw=true").read_only);
  CHECK(Ok("target=/a,rw=false").read_only);
  CHECK(Ok("type=cache,target=/a,ro").read_only);
  CHECK(Ok("type=cache,target=/a,readonly=1").read_only);
  CHECK_FALSE(Ok("target=/a,ro=F").read_only);
  CHECK(Ok("target=/a,rw").read_only_set);
}

TEST_CASE("CSV quoting") {
  CHECK(Ok("target=/a,\"source=x,y\"").source == "x,y");
  CHECK(Ok("\"target=/a \"\"b\"\"\"").target == "/a \"b\"");
  CHECK(Err("") == "failed to parse csv mounts: EOF");
  CHECK(
      Err("target=/a\"b") ==
      "failed to parse csv mounts: parse error on line 1, column 10: bare \" in non-quoted-field");
  CHECK(Err("\"target=/a") ==
        "failed to parse csv mounts: parse error on line 1, column 11: extraneous or missing \" in "
        "quoted-field");
  CHECK(Err("\"target=/a\"x") ==
        "failed to parse csv mounts: parse error on line 1, column 12: extraneous or missing \" in "
        "quoted-field");
  CHECK(Err("target=/a,") == "invalid field '' must be a key=value pair");
}

TEST_CASE("key and value errors") {
  CHECK(Err("type=cachee,target=/x") == "unsupported mount type \"cachee\" (did you mean cache?)");
  CHECK(Err("type=volume,target=/x") == "unsupported mount type \"volume\"");
  CHECK(Err("target=/x,foo") == "invalid field 'foo' must be a key=value pair");
  CHECK(Err("target=/x,tagret=/y") ==
        "unexpected key 'tagret' in 'tagret=/y' (did you mean target?)");
  CHECK(Err("target=/x,bogus=1") == "unexpected key 'bogus' in 'bogus=1'");
  CHECK(Err("target=/x,ro=maybe") == "invalid value for ro: maybe");
  CHECK(Err("type=secret,id=a,required=2") == "invalid value for required: 2");
  CHECK(Err("type=cache,target=/x,sharing=exclusive") == "unsupported sharing value \"exclusive\"");
  CHECK(Err("type=cache,target=/x,mode=0999") == "invalid value 0999 for mode");
  CHECK(Err("type=cache,target=/x,uid=-1") == "invalid value -1 for uid");
  CHECK(Err("type=cache,target=/x,gid=4294967296") == "invalid value 4294967296 for gid");
  CHECK(Err("type=tmpfs,target=/x,size=lots") == "invalid value for size: lots");
  CHECK(Err("target=/x,from=$STAGE") ==
        "'from' doesn't support variable expansion, define alias stage instead");
}

TEST_CASE("per-type rules") {
  CHECK(Err("target=/x,mode=0644") == "mode not allowed for \"bind\" type mounts");
  CHECK(Err("type=tmpfs,target=/x,uid=1") == "uid not allowed for \"tmpfs\" type mounts");
  CHECK(Err("target=/x,gid=1") == "gid not allowed for \"bind\" type mounts");
  CHECK(Err("type=cache,target=/x,size=1g") == "size not allowed for \"cache\" type mounts");
  CHECK(Err("type=cache,target=/x,env=A") == "env not allowed for \"cache\" type mounts");
  CHECK(Err("target=/x,required") == "unexpected key 'required' for mount type 'bind'");
  CHECK(Err("target=/x,sharing=shared") == "invalid cache sharing set for bind mount");
  CHECK(Err("type=secret,id=a,from=x") == "secret mount should not have a from");
  CHECK(Err("type=secret,id=a,source=b") == "both source and id can't be set");
  CHECK(Err("type=secret") == "invalid secret mount. one of source, target required");
  CHECK(Err("type=cache") == "mount type \"cache\" requires a target");
  CHECK(Err("type=bind,source=x") == "mount type \"bind\" requires a target");
  CHECK(Err("type=tmpfs,target=/") == "invalid mount target \"/\"");
}

TEST_CASE("values with variables are checked after expansion") {
  MountSpec m = Ok("type=cache,target=$DIR,mode=$MODE,uid=${UID},sharing=$S,ro=$RO");
  CHECK(m.target == "$DIR");
  CHECK(m.mode == "$MODE");
  CHECK(m.sharing == "$S");
  // An unexpanded type leaves the type rules for later.
  MountSpec t = Ok("type=$TYPE,mode=0644");
  CHECK(t.type == "$TYPE");
}

}  // namespace
}  // namespace builder::parser
