// Tests for id map computation, /etc/subuid parsing and map formatting.
#include "sandbox/id_map.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "base/path.h"

namespace builder::sandbox {

TEST_CASE("ParseSubIdFile picks the user's ranges by name or uid") {
  const char* text =
      "# comment\n"
      "alice:100000:65536\n"
      "bob:165536:65536\n"
      "1000:300000:10\n"
      "  alice:400000:5  \r\n"
      "alice:bad:5\n"
      "alice:500000:0\n"
      "alice:600000\n"
      "\n";
  auto ranges = ParseSubIdFile(text, "alice", 1000);
  REQUIRE(ranges.size() == 3);
  CHECK(ranges[0] == SubIdRange{100000, 65536});
  CHECK(ranges[1] == SubIdRange{300000, 10});
  CHECK(ranges[2] == SubIdRange{400000, 5});
  CHECK(ParseSubIdFile(text, "carol", 2000).empty());
  CHECK(ParseSubIdFile(text, "", 1000) == std::vector<SubIdRange>{{300000, 10}});
  CHECK(ParseSubIdFile("alice:1:99999999999\n", "alice", 5).empty());
}

TEST_CASE("ComputeIdMaps: host root maps the full range to itself") {
  IdMaps maps = ComputeIdMaps(0, 0, {{100000, 65536}}, {{100000, 65536}}, true);
  REQUIRE(maps.uids.size() == 1);
  CHECK(maps.uids[0] == IdMapping{0, 0, 4294967295u});
  CHECK(maps.gids == maps.uids);
  CHECK_FALSE(maps.use_helpers);
  CHECK(maps.setgroups_allowed);
  CHECK(maps.MapsUid(0));
  CHECK(maps.MapsUid(65534));
  CHECK(maps.MapsUid(4294967294u));
  CHECK_FALSE(maps.MapsUid(4294967295u));
  CHECK(FormatIdMap(maps.uids) == "0 0 4294967295\n");
}

TEST_CASE("ComputeIdMaps: a user with subordinate ranges goes through the helpers") {
  IdMaps maps = ComputeIdMaps(1000, 1001, {{100000, 65536}, {300000, 10}}, {{200000, 65536}}, true);
  CHECK(maps.use_helpers);
  CHECK(maps.setgroups_allowed);
  CHECK(maps.uids == std::vector<IdMapping>{{0, 1000, 1}, {1, 100000, 65536}, {65537, 300000, 10}});
  CHECK(maps.gids == std::vector<IdMapping>{{0, 1001, 1}, {1, 200000, 65536}});
  CHECK(maps.MapsUid(65546));
  CHECK_FALSE(maps.MapsUid(65547));
  CHECK(FormatIdMap(maps.gids) == "0 1001 1\n1 200000 65536\n");
}

TEST_CASE("ComputeIdMaps: a single-id map without ranges or helpers") {
  for (bool helpers : {true, false}) {
    IdMaps maps = ComputeIdMaps(
        1000, 1000, helpers ? std::vector<SubIdRange>{} : std::vector<SubIdRange>{{100000, 65536}},
        {{100000, 65536}}, helpers);
    CHECK(maps.uids == std::vector<IdMapping>{{0, 1000, 1}});
    CHECK(maps.gids == std::vector<IdMapping>{{0, 1000, 1}});
    CHECK_FALSE(maps.use_helpers);
    CHECK_FALSE(maps.setgroups_allowed);
    CHECK(maps.MapsUid(0));
    CHECK_FALSE(maps.MapsUid(1));
  }
}

TEST_CASE("ComputeIdMaps caps huge ranges below the invalid id") {
  IdMaps maps = ComputeIdMaps(1000, 1000, {{1, 0xFFFFFFFFu}, {5, 5}}, {{1, 10}}, true);
  REQUIRE(maps.uids.size() == 2);
  CHECK(maps.uids[1] == IdMapping{1, 1, 0xFFFFFFFEu});
  CHECK_FALSE(maps.MapsUid(0xFFFFFFFFu));
}


TEST_CASE("ParseProcIdMap reads the kernel's padded columns") {
  auto map = ParseProcIdMap("         0       1000          1\n         1     100000      65536\n");
  REQUIRE(map);
  CHECK(*map == std::vector<IdMapping>{{0, 1000, 1}, {1, 100000, 65536}});
  auto full = ParseProcIdMap("         0          0 4294967295\n");
  REQUIRE(full);
  CHECK(*full == std::vector<IdMapping>{{0, 0, 4294967295u}});
  auto empty = ParseProcIdMap("");
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("ParseProcIdMap refuses malformed lines") {
  CHECK_FALSE(ParseProcIdMap("0 1000\n"));
  CHECK_FALSE(ParseProcIdMap("0 1000 1 5\n"));
  CHECK_FALSE(ParseProcIdMap("0 -1 1\n"));
  CHECK_FALSE(ParseProcIdMap("0 1000 4294967296\n"));
  auto bad = ParseProcIdMap("0 0 1\nx 1 1\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().Describe().find("line 2") != std::string::npos);
}

TEST_CASE("IdentityIdMaps covers exactly the ids of the namespace root lives in") {
  // builder's re-exec: 0 -> the user, 1.. -> two subordinate ranges, gids differently split.
  IdMaps maps = IdentityIdMaps({{1, 100000, 65536}, {0, 1000, 1}, {65537, 300000, 10}},
                               {{0, 1000, 1}, {5, 200000, 10}});
  CHECK(maps.uids == std::vector<IdMapping>{{0, 0, 1}, {1, 1, 65536}, {65537, 65537, 10}});
  CHECK(maps.gids == std::vector<IdMapping>{{0, 0, 1}, {5, 5, 10}});
  CHECK_FALSE(maps.use_helpers);
  CHECK(maps.setgroups_allowed);
  CHECK(maps.MapsUid(1000));
  CHECK(maps.MapsUid(65546));
  CHECK_FALSE(maps.MapsUid(65547));
  CHECK(maps.MapsGid(0));
  CHECK_FALSE(maps.MapsGid(1));
  CHECK(maps.MapsGid(14));
  CHECK_FALSE(maps.MapsGid(15));
  CHECK(FormatIdMap(maps.gids) == "0 0 1\n5 5 10\n");
}

TEST_CASE("IdentityIdMaps of the initial namespace is the full range, zero-size lines dropped") {
  IdMaps maps = IdentityIdMaps({{0, 0, 4294967295u}, {7, 7, 0}}, {{0, 0, 4294967295u}});
  CHECK(maps.uids == std::vector<IdMapping>{{0, 0, 4294967295u}});
  CHECK(maps.gids == maps.uids);
}

TEST_CASE("IdMapsForCurrentUser as root follows /proc/self/uid_map") {
  if (geteuid() != 0) return;
  auto own = ReadFile("/proc/self/uid_map");
  REQUIRE(own);
  auto parsed = ParseProcIdMap(*own);
  REQUIRE(parsed);
  auto maps = IdMapsForCurrentUser();
  REQUIRE(maps);
  CHECK(maps->uids == IdentityIdMaps(*parsed, *parsed).uids);
}

}  // namespace builder::sandbox
