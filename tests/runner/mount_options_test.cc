// -v, --mount and --tmpfs parsing; --restart and --ulimit parsing.
#include "runner/mount_options.h"

#include <doctest/doctest.h>
#include <sys/resource.h>

#include "runner/container_create.h"
#include "runner/container_sandbox.h"

namespace builder::runner {
namespace {

TEST_CASE("-v: bind with and without :ro, named and anonymous volumes, bad input") {
  auto bind = ParseVolumeFlag("/srv/data/:/data:ro");
  REQUIRE(bind);
  CHECK(bind->type == "bind");
  CHECK(bind->source == "/srv/data");
  CHECK(bind->destination == "/data");
  CHECK(bind->read_only);
  auto rw = ParseVolumeFlag("/a:/b");
  REQUIRE(rw);
  CHECK(!rw->read_only);
  auto named = ParseVolumeFlag("cache:/var/cache");
  REQUIRE(named);
  CHECK(named->type == "volume");
  CHECK(named->source == "cache");
  auto anon = ParseVolumeFlag("/scratch");
  REQUIRE(anon);
  CHECK(anon->type == "volume");
  CHECK(anon->source.empty());
  CHECK(!ParseVolumeFlag("/a:relative"));
  CHECK(!ParseVolumeFlag("/a:/"));
  CHECK(!ParseVolumeFlag("/a:/b:bogus"));
  CHECK(!ParseVolumeFlag("/a:/b:ro:x"));
}

TEST_CASE("--mount: fields, aliases, required target, tmpfs options") {
  auto m = ParseMountFlag("type=bind,src=/x,dst=/y,readonly");
  REQUIRE(m);
  CHECK(m->type == "bind");
  CHECK(m->source == "/x");
  CHECK(m->destination == "/y");
  CHECK(m->read_only);
  auto t = ParseMountFlag("type=tmpfs,target=/run,tmpfs-size=64m,tmpfs-mode=1770");
  REQUIRE(t);
  CHECK(t->options == "size=64m,mode=1770");
  CHECK(!ParseMountFlag("type=bind,source=/x"));
  CHECK(!ParseMountFlag("type=bind,source=rel,target=/y"));
  CHECK(!ParseMountFlag("type=nfs,target=/y"));
  CHECK(!ParseMountFlag("type=bind,source=/x,target=/y,color=red"));
}

TEST_CASE("--tmpfs DST[:OPTS]") {
  auto t = ParseTmpfsFlag("/run:size=1m,mode=700");
  REQUIRE(t);
  CHECK(t->destination == "/run");
  CHECK(t->options == "size=1m,mode=700");
  CHECK(!ParseTmpfsFlag("run"));
}

TEST_CASE("--restart policies") {
  CHECK(ParseRestartPolicy("always")->name == "always");
  auto p = ParseRestartPolicy("on-failure:2");
  REQUIRE(p);
  CHECK(p->name == "on-failure");
  CHECK(p->max_retries == 2);
  CHECK(!ParseRestartPolicy("always:2"));
  CHECK(!ParseRestartPolicy("sometimes"));
  CHECK(!ParseRestartPolicy("on-failure:x"));
}

TEST_CASE("--ulimit") {
  auto u = ParseUlimit("nofile=1024:2048");
  REQUIRE(u);
  CHECK(u->resource == RLIMIT_NOFILE);
  CHECK(u->soft == 1024);
  CHECK(u->hard == 2048);
  auto one = ParseUlimit("nproc=64");
  REQUIRE(one);
  CHECK(one->hard == 64);
  CHECK(!ParseUlimit("nofile=2048:1024"));
  CHECK(!ParseUlimit("bogus=1"));
  CHECK(!ParseUlimit("nofile"));
}

}  // namespace
}  // namespace builder::runner
