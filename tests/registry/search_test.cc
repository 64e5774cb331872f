// Search: term splitting, Hub answers, catalog pages and Link headers.
#include "registry/search.h"

#include <doctest/doctest.h>

namespace builder::registry {
namespace {

TEST_CASE("ParseSearchTerm splits a registry off as docker does") {
  CHECK(ParseSearchTerm("busybox").domain == "docker.io");
  CHECK(ParseSearchTerm("library/busybox").domain == "docker.io");
  CHECK(ParseSearchTerm("library/busybox").term == "library/busybox");
  auto local = ParseSearchTerm("127.0.0.1:5000/bb");
  CHECK(local.domain == "127.0.0.1:5000");
  CHECK(local.term == "bb");
  CHECK(ParseSearchTerm("localhost/x").domain == "localhost");
  CHECK(ParseSearchTerm("index.docker.io/nginx").domain == "docker.io");
}

TEST_CASE("ParseHubSearch reads Docker Hub's v1 search answer") {
  auto r = ParseHubSearch(R"({"num_results":2,"query":"busybox","results":[
    {"name":"busybox","description":"Busybox base image.","star_count":3300,"is_official":true,"is_automated":false},
    {"name":"someone/busybox","description":null,"star_count":1,"is_official":false,"is_automated":true},
    {"description":"no name"}]})");
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].name == "busybox");
  CHECK((*r)[0].stars == 3300);
  CHECK((*r)[0].official);
  CHECK((*r)[1].description.empty());
  CHECK((*r)[1].automated);
  CHECK(ParseHubSearch("[]").error().code() == ErrorCode::kCorrupt);
}

TEST_CASE("ParseCatalog and NextPageUrl follow _catalog pages") {
  auto page = ParseCatalog(R"({"repositories":["lib/bb","x"]})");
  REQUIRE(page);
  CHECK(*page == std::vector<std::string>{"lib/bb", "x"});
  auto empty = ParseCatalog(R"({"repositories":null})");
  REQUIRE(empty);
  CHECK(empty->empty());
  CHECK_FALSE(ParseCatalog("{}"));
  CHECK(NextPageUrl(R"(</v2/_catalog?last=x&n=2>; rel="next")", "http://h:5000") ==
        "http://h:5000/v2/_catalog?last=x&n=2");
  CHECK(NextPageUrl(R"(<https://o/v2/_catalog?last=y>; rel="prev", <https://o/v2/_catalog?last=z>; rel="next")", "") ==
        "https://o/v2/_catalog?last=z");
  CHECK(NextPageUrl("", "http://h").empty());
}

}  // namespace
}  // namespace builder::registry
