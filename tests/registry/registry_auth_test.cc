// Tests for challenge parsing, token URLs and answers, the auth file and base64.
#include "registry/registry_auth.h"

#include <doctest/doctest.h>

#include <vector>

namespace builder::registry {
namespace {

TEST_CASE("a bearer challenge's parameters are unquoted and names lower-cased") {
  auto c = ParseAuthChallenges(
      R"(Bearer realm="https://auth.docker.io/token",Service="registry.docker.io",scope="repository:library/a:pull")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "bearer");
  CHECK(c[0].params.at("realm") == "https://auth.docker.io/token");
  CHECK(c[0].params.at("service") == "registry.docker.io");
  CHECK(c[0].params.at("scope") == "repository:library/a:pull");
}

TEST_CASE("several challenges in one header, tokens and escapes") {
  auto c = ParseAuthChallenges(R"(Basic realm="a \"b\"", Bearer realm=https://x/t, service=s)");
  REQUIRE(c.size() == 2);
  CHECK(c[0].scheme == "basic");
  CHECK(c[0].params.at("realm") == "a \"b\"");
  CHECK(c[1].scheme == "bearer");
  CHECK(c[1].params.at("realm") == "https://x/t");
  CHECK(c[1].params.at("service") == "s");
  CHECK(ParseAuthChallenges("").empty());
}

TEST_CASE("the token URL carries service and the requested scope, percent-encoded") {
  AuthChallenge c{"bearer", {{"realm", "https://auth.test/token"}, {"service", "reg x"}, {"scope", "old"}}};
  auto url = TokenUrl(c, "repository:lib/bb:pull");
  REQUIRE(url);
  CHECK(*url == "https://auth.test/token?service=reg%20x&scope=repository%3Alib%2Fbb%3Apull");
  auto kept = TokenUrl(c, "");
  REQUIRE(kept);
  CHECK(kept->ends_with("scope=old"));
  CHECK_FALSE(TokenUrl(AuthChallenge{"bearer", {}}, "s"));
  CHECK_FALSE(TokenUrl(AuthChallenge{"bearer", {{"realm", "file:///etc/passwd"}}}, "s"));
}

TEST_CASE("token answers: token, else access_token, else a corrupt answer") {
  CHECK(*ParseTokenResponse(R"({"token":"t1","access_token":"t2"})") == "t1");
  CHECK(*ParseTokenResponse(R"({"access_token":"t2"})") == "t2");
  auto none = ParseTokenResponse(R"({"secret":"do-not-echo"})");
  REQUIRE_FALSE(none);
  CHECK(none.error().code() == ErrorCode::kCorrupt);
  CHECK(none.error().ToString().find("do-not-echo") == std::string::npos);
  CHECK_FALSE(ParseTokenResponse("not json"));
}

TEST_CASE("auth file entries match by host, with docker.io aliases") {
  std::string file = R"({"auths":{
    "https://index.docker.io/v1/":{"auth":")" + Base64Encode("hub:pw1") + R"("},
    "127.0.0.1:5000":{"username":"u","password":"p:w"},
    "other.test":{}}})";
  auto hub = ParseAuthFile(file, "docker.io");
  REQUIRE(hub);
  REQUIRE(*hub);
  CHECK((*hub)->username == "hub");
  CHECK((*hub)->password == "pw1");
  auto local = ParseAuthFile(file, "127.0.0.1:5000");
  REQUIRE(local);
  REQUIRE(*local);
  CHECK((*local)->password == "p:w");
  auto none = ParseAuthFile(file, "quay.io");
  REQUIRE(none);
  CHECK_FALSE(*none);
  auto empty = ParseAuthFile(file, "other.test");
  REQUIRE(empty);
  CHECK_FALSE(*empty);
  CHECK_FALSE(ParseAuthFile("{", "docker.io"));
  auto bad = ParseAuthFile(R"({"auths":{"x.io":{"auth":"c2VjcmV0"}}})", "x.io");  // "secret", no colon
  REQUIRE_FALSE(bad);
  CHECK(bad.error().ToString().find("secret") == std::string::npos);
}

TEST_CASE("basic authorization and base64 round trips") {
  CHECK(BasicAuthorization({"Aladdin", "open sesame"}) == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto back = Base64Decode(Base64Encode(s));
    REQUIRE(back);
    CHECK(*back == s);
  }
  CHECK_FALSE(Base64Decode("a"));
  CHECK_FALSE(Base64Decode("ab!c"));
}

}  // namespace
}  // namespace builder::registry
