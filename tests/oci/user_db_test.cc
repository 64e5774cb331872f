// USER and --chown resolution through the image's /etc/passwd and /etc/group.
#include "oci/user_db.h"

#include <doctest/doctest.h>

#include "temp_layers.h"

namespace builder::oci {
namespace {

using testing::TempLayers;

struct Image {
  TempLayers t;
  Image() {
    t.File("l", "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n# comment\napp:x:1000:1001::/home/app:/bin/sh\n");
    t.File("l", "/etc/group", "root:x:0:\nappgrp:x:1001:\nextra:x:2000:other,app\n");
  }
  MergedView View() const { return MergedView({t.Dir("l")}); }
};

TEST_CASE("USER names resolve to passwd ids, home and supplementary groups") {
  Image img;
  auto u = ResolveRunUser(img.View(), "app");
  REQUIRE(u);
  CHECK(u->uid == 1000);
  CHECK(u->gid == 1001);
  CHECK(u->home == "/home/app");
  CHECK(u->groups == std::vector<gid_t>{2000});
  auto root = ResolveRunUser(img.View(), "");
  REQUIRE(root);
  CHECK(root->uid == 0);
  CHECK(root->home == "/root");
}

TEST_CASE("numeric users need no passwd entry; groups by name or number") {
  Image img;
  auto u = ResolveRunUser(img.View(), "4242");
  REQUIRE(u);
  CHECK(u->uid == 4242);
  CHECK(u->gid == 0);
  auto g = ResolveRunUser(img.View(), "app:extra");
  REQUIRE(g);
  CHECK(g->gid == 2000);
  auto n = ResolveRunUser(img.View(), "7:8");
  REQUIRE(n);
  CHECK(n->uid == 7);
  CHECK(n->gid == 8);
}

TEST_CASE("unknown names fail with Docker's wording") {
  Image img;
  auto u = ResolveRunUser(img.View(), "ghost");
  REQUIRE(!u);
  CHECK(u.error().message() == "unable to find user ghost: no matching entries in passwd file");
  auto g = ResolveRunUser(img.View(), "app:nogroup");
  REQUIRE(!g);
  CHECK(g.error().message() == "unable to find group nogroup: no matching entries in group file");
}

TEST_CASE("--chown without a group uses the uid as gid") {
  Image img;
  auto named = ResolveChown(img.View(), "app");
  REQUIRE(named);
  CHECK(named->uid == 1000);
  CHECK(named->gid == 1000);
  auto numeric = ResolveChown(img.View(), "55");
  REQUIRE(numeric);
  CHECK(numeric->gid == 55);
  auto both = ResolveChown(img.View(), "app:appgrp");
  REQUIRE(both);
  CHECK(both->gid == 1001);
}

TEST_CASE("an image without /etc/passwd still runs numeric users") {
  TempLayers t;
  t.Mkdir("empty", "/");
  MergedView view({t.Dir("empty")});
  CHECK(ResolveRunUser(view, "0")->uid == 0);
  auto none = ResolveRunUser(view, "");  // no USER instruction: root without a passwd entry
  REQUIRE(none);
  CHECK(none->uid == 0);
  CHECK(none->gid == 0);
  CHECK(none->home == "/");
  CHECK(!ResolveRunUser(view, "app"));
}

}  // namespace
}  // namespace builder::oci
