// DockerConfig: auths lookups and edits, helpers, unknown keys kept, 0600 atomic saves.
#include "registry/docker_config.h"

#include <sys/stat.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "oci/temp_tree.h"

namespace builder::registry {
namespace {

using builder::oci::testing::GetFile;
using builder::oci::testing::PutFile;
using builder::oci::testing::TempDir;
using json = nlohmann::json;

TEST_CASE("CredentialKey files Docker Hub under docker's legacy URL") {
  CHECK(CredentialKey("docker.io") == "https://index.docker.io/v1/");
  CHECK(CredentialKey("index.docker.io") == "https://index.docker.io/v1/");
  CHECK(CredentialKey("127.0.0.1:5000") == "127.0.0.1:5000");
}

TEST_CASE("a round trip keeps unknown keys and writes base64 auth, mode 0600") {
  TempDir dir;
  std::string path = dir / "cfg/config.json";
  REQUIRE(::mkdir((dir / "cfg").c_str(), 0755) == 0);
  REQUIRE(PutFile(path, R"({"proxies":{"default":{"httpProxy":"http://p:3128"}},"auths":{"other.test":{"auth":"eDp5"}},"psFormat":"x"})"));
  auto config = DockerConfig::Load(path);
  REQUIRE(config);
  config->SetAuth("127.0.0.1:5000", {"alice", "pw:with:colons", {}});
  config->SetAuth("docker.io", {"bob", "hub-pw", {}});
  REQUIRE(config->Save());
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  json doc = json::parse(GetFile(path));
  CHECK(doc["proxies"]["default"]["httpProxy"] == "http://p:3128");
  CHECK(doc["psFormat"] == "x");
  CHECK(doc["auths"]["other.test"]["auth"] == "eDp5");
  CHECK(doc["auths"]["127.0.0.1:5000"]["auth"] == Base64Encode("alice:pw:with:colons"));
  CHECK(doc["auths"]["https://index.docker.io/v1/"]["auth"] == Base64Encode("bob:hub-pw"));

  auto again = DockerConfig::Load(path);
  REQUIRE(again);
  auto creds = again->AuthFor("127.0.0.1:5000");
  REQUIRE(creds);
  REQUIRE(creds->has_value());
  CHECK((*creds)->username == "alice");
  CHECK((*creds)->password == "pw:with:colons");
  auto hub = again->AuthFor("docker.io");
  REQUIRE(hub);
  REQUIRE(hub->has_value());
  CHECK((*hub)->username == "bob");

  CHECK(again->EraseAuth("127.0.0.1:5000"));
  CHECK_FALSE(again->EraseAuth("127.0.0.1:5000"));
  auto gone = again->AuthFor("127.0.0.1:5000");
  REQUIRE(gone);
  CHECK_FALSE(gone->has_value());
  CHECK(json::parse(again->Text())["psFormat"] == "x");
}

TEST_CASE("keys with a scheme and a path match their host; identity tokens are kept apart") {
  auto config = DockerConfig::Parse(
      R"({"auths":{"https://reg.test:5000/v2/":{"auth":")" + Base64Encode("u:") +
      R"(","identitytoken":"refresh-123"}}})");
  REQUIRE(config);
  auto creds = config->AuthFor("reg.test:5000");
  REQUIRE(creds);
  REQUIRE(creds->has_value());
  CHECK((*creds)->username == "u");
  CHECK((*creds)->password.empty());
  CHECK((*creds)->identity_token == "refresh-123");
  config->SetAuth("reg.test:5000", {"u", "", "new-token"});
  json doc = json::parse(config->Text());
  CHECK_FALSE(doc["auths"].contains("https://reg.test:5000/v2/"));
  CHECK(doc["auths"]["reg.test:5000"]["identitytoken"] == "new-token");
}

TEST_CASE("credHelpers per host win over credsStore") {
  auto config = DockerConfig::Parse(R"({"credsStore":"desktop","credHelpers":{"gcr.io":"gcloud"}})");
  REQUIRE(config);
  CHECK(config->HelperFor("gcr.io") == "gcloud");
  CHECK(config->HelperFor("docker.io") == "desktop");
  auto none = DockerConfig::Parse("{}");
  REQUIRE(none);
  CHECK_FALSE(none->HelperFor("gcr.io"));
}

TEST_CASE("malformed configs are errors that quote no secret; a missing file is empty") {
  CHECK(DockerConfig::Parse("{not json").error().code() == ErrorCode::kParse);
  CHECK(DockerConfig::Parse(R"({"auths":[]})").error().code() == ErrorCode::kCorrupt);
  auto bad = DockerConfig::Parse(R"({"auths":{"h":{"auth":"!!secret!!"}}})");
  REQUIRE(bad);
  auto creds = bad->AuthFor("h");
  REQUIRE_FALSE(creds);
  CHECK(creds.error().message().find("secret") == std::string::npos);
  TempDir dir;
  auto missing = DockerConfig::Load(dir / "nope/config.json");
  REQUIRE(missing);
  auto empty = missing->AuthFor("h");
  REQUIRE(empty);
  CHECK_FALSE(empty->has_value());
}

}  // namespace
}  // namespace builder::registry
