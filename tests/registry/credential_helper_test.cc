// CredentialHelper: the get/store/erase/list protocol against a helper script the test writes.
#include "registry/credential_helper.h"

#include <cstdlib>

#include <doctest/doctest.h>

#include "oci/temp_tree.h"

namespace builder::registry {
namespace {

using builder::oci::testing::GetFile;
using builder::oci::testing::PutFile;
using builder::oci::testing::TempDir;

// Puts dir first on PATH for the scope of the test.
struct PathPrefix {
  std::string old;
  explicit PathPrefix(const std::string& dir) {
    const char* p = std::getenv("PATH");
    old = p ? p : "";
    ::setenv("PATH", (dir + ":" + old).c_str(), 1);
  }
  ~PathPrefix() { ::setenv("PATH", old.c_str(), 1); }
};

TEST_CASE("credential helper protocol: store, get, list, erase over stdin/stdout") {
  TempDir dir;
  std::string script = "#!/bin/sh\nin=$(cat)\necho \"$*\" >>'" + dir / "argv" + "'\n" +
                       "printf '%s\\n' \"$1 $in\" >>'" + dir / "stdin" + "'\n" +
                       "case $1 in\n"
                       "store) printf '%s' \"$in\" >'" + dir / "store" + "';;\n"
                       "get) [ -s '" + dir / "store" + "' ] && cat '" + dir / "store" +
                       "' || { echo 'credentials not found in native keychain'; exit 1; };;\n"
                       "erase) rm -f '" + dir / "store" + "';;\n"
                       "list) echo '{\"reg.test\":\"alice\"}';;\n"
                       "esac\n";
  REQUIRE(PutFile(dir / "docker-credential-t", script, 0755));
  PathPrefix path(dir.path());
  CredentialHelper helper("t");

  auto none = helper.Get("reg.test");
  REQUIRE(none);
  CHECK_FALSE(none->has_value());

  REQUIRE(helper.Store("reg.test", {"alice", "pa$$ word", {}}));
  CHECK(GetFile(dir / "stdin").find(R"("Secret":"pa$$ word")") != std::string::npos);
  CHECK(GetFile(dir / "argv").find("pa$$") == std::string::npos);
  auto got = helper.Get("reg.test");
  REQUIRE(got);
  REQUIRE(got->has_value());
  CHECK((*got)->username == "alice");
  CHECK((*got)->password == "pa$$ word");
  CHECK(GetFile(dir / "stdin").find("get reg.test\n") != std::string::npos);

  auto list = helper.List();
  REQUIRE(list);
  CHECK(list->at("reg.test") == "alice");

  REQUIRE(helper.Erase("reg.test"));
  CHECK(GetFile(dir / "argv") == "get\nstore\nget\nlist\nerase\n");
}

TEST_CASE("an identity token travels as the <token> user") {
  TempDir dir;
  REQUIRE(PutFile(dir / "docker-credential-tok",
                  "#!/bin/sh\ncat >/dev/null\necho '{\"ServerURL\":\"r\",\"Username\":\"<token>\",\"Secret\":\"rt-1\"}'\n",
                  0755));
  PathPrefix path(dir.path());
  auto got = CredentialHelper("tok").Get("r");
  REQUIRE(got);
  REQUIRE(got->has_value());
  CHECK((*got)->identity_token == "rt-1");
  CHECK((*got)->password.empty());
}

TEST_CASE("a failing or missing helper is an error naming the program") {
  TempDir dir;
  REQUIRE(PutFile(dir / "docker-credential-broken", "#!/bin/sh\ncat >/dev/null\necho 'keychain locked' >&2\nexit 3\n", 0755));
  PathPrefix path(dir.path());
  auto got = CredentialHelper("broken").Get("r");
  REQUIRE_FALSE(got);
  CHECK(got.error().message().find("docker-credential-broken get") != std::string::npos);
  CHECK(got.error().message().find("keychain locked") != std::string::npos);
  auto missing = CredentialHelper("absent-xyz").Get("r");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().ToString().find("docker-credential-absent-xyz") != std::string::npos);
}

}  // namespace
}  // namespace builder::registry
