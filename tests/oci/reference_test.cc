// Tests for docker reference normalization: a table of familiar and full names, and rejects.
#include "oci/reference.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::oci {
namespace {

const std::string kHex = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
const std::string kSha = "sha256:" + kHex;

struct Case {
  std::string input;
  std::string full;      // String()
  std::string familiar;  // FamiliarString()
  std::string domain;
  std::string path;
  std::string tag;
};

TEST_CASE("valid references normalize like docker") {
  const Case cases[] = {
      {"app", "docker.io/library/app", "app", "docker.io", "library/app", ""},
      {"app:1.0", "docker.io/library/app:1.0", "app:1.0", "docker.io", "library/app", "1.0"},
      {"user/app", "docker.io/user/app", "user/app", "docker.io", "user/app", ""},
      {"user/app:v2", "docker.io/user/app:v2", "user/app:v2", "docker.io", "user/app", "v2"},
      {"docker.io/app", "docker.io/library/app", "app", "docker.io", "library/app", ""},
      {"docker.io/library/app", "docker.io/library/app", "app", "docker.io", "library/app", ""},
      {"index.docker.io/app", "docker.io/library/app", "app", "docker.io", "library/app", ""},
      {"index.docker.io/user/app", "docker.io/user/app", "user/app", "docker.io", "user/app", ""},
      {"library/app", "docker.io/library/app", "app", "docker.io", "library/app", ""},
      {"library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar", "docker.io",
       "library/foo/bar", ""},
      {"store/foo/bar", "docker.io/store/foo/bar", "store/foo/bar", "docker.io", "store/foo/bar",
       ""},
      {"other/library", "docker.io/other/library", "other/library", "docker.io", "other/library",
       ""},
      {"docker/migrator", "docker.io/docker/migrator", "docker/migrator", "docker.io",
       "docker/migrator", ""},
      {"test_com/foo", "docker.io/test_com/foo", "test_com/foo", "docker.io", "test_com/foo", ""},
      {"test.com/foo", "test.com/foo", "test.com/foo", "test.com", "foo", ""},
      {"test.com:8080/foo", "test.com:8080/foo", "test.com:8080/foo", "test.com:8080", "foo", ""},
      {"test-com:8080/foo", "test-com:8080/foo", "test-com:8080/foo", "test-com:8080", "foo", ""},
      {"xn--n3h.com/foo", "xn--n3h.com/foo", "xn--n3h.com/foo", "xn--n3h.com", "foo", ""},
      {"localhost/app", "localhost/app", "localhost/app", "localhost", "app", ""},
      {"localhost:5000/app:dev", "localhost:5000/app:dev", "localhost:5000/app:dev",
       "localhost:5000", "app", "dev"},
      {"127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker",
       "127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker", ""},
      {"192.168.0.1:8/debian", "192.168.0.1:8/debian", "192.168.0.1:8/debian", "192.168.0.1:8",
       "debian", ""},
      {"[fc00::1]:5000/docker", "[fc00::1]:5000/docker", "[fc00::1]:5000/docker", "[fc00::1]:5000",
       "docker", ""},
      {"[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
       "[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian",
       ""},
      {"example.com/private/moonbase", "example.com/private/moonbase",
       "example.com/private/moonbase", "example.com", "private/moonbase", ""},
      {"ghcr.io/org/team/app:1.2.3", "ghcr.io/org/team/app:1.2.3", "ghcr.io/org/team/app:1.2.3",
       "ghcr.io", "org/team/app", "1.2.3"},
      // Upper case in the first component makes it a registry, as distribution does.
      {"Foo/bar", "Foo/bar", "Foo/bar", "Foo", "bar", ""},
      {"DOCKER/docker", "DOCKER/docker", "DOCKER/docker", "DOCKER", "docker", ""},
      // A host:port with no path is a name and a tag.
      {"192.168.0.1:80", "docker.io/library/192.168.0.1:80", "192.168.0.1:80", "docker.io",
       "library/192.168.0.1", "80"},
      {"test.com:5000", "docker.io/library/test.com:5000", "test.com:5000", "docker.io",
       "library/test.com", "5000"},
      {"192.168.0.1", "docker.io/library/192.168.0.1", "192.168.0.1", "docker.io",
       "library/192.168.0.1", ""},
      {"docker.io/" + kHex, "docker.io/library/" + kHex, kHex, "docker.io", "library/" + kHex, ""},
      {"dbcc1", "docker.io/library/dbcc1", "dbcc1", "docker.io", "library/dbcc1", ""},
      {"ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io",
       "library/ubuntu-12.04-base", ""},
      {"docker---rules/docker", "docker.io/docker---rules/docker", "docker---rules/docker",
       "docker.io", "docker---rules/docker", ""},
      {"dock__er/docker", "docker.io/dock__er/docker", "dock__er/docker", "docker.io",
       "dock__er/docker", ""},
      {"d/docker", "docker.io/d/docker", "d/docker", "docker.io", "d/docker", ""},
      {"jess/t", "docker.io/jess/t", "jess/t", "docker.io", "jess/t", ""},
      {"app:Latest_Tag-1.x", "docker.io/library/app:Latest_Tag-1.x", "app:Latest_Tag-1.x",
       "docker.io", "library/app", "Latest_Tag-1.x"},
      {"app:_x", "docker.io/library/app:_x", "app:_x", "docker.io", "library/app", "_x"},
      {"app:" + std::string(128, 'a'), "docker.io/library/app:" + std::string(128, 'a'),
       "app:" + std::string(128, 'a'), "docker.io", "library/app", std::string(128, 'a')},
      {"app@" + kSha, "docker.io/library/app@" + kSha, "app@" + kSha, "docker.io", "library/app",
       ""},
      {"busybox:latest@" + kSha, "docker.io/library/busybox:latest@" + kSha,
       "busybox:latest@" + kSha, "docker.io", "library/busybox", "latest"},
      {"localhost:5000/app:1@" + kSha, "localhost:5000/app:1@" + kSha,
       "localhost:5000/app:1@" + kSha, "localhost:5000", "app", "1"},
      {"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
       "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
       "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io",
       "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    auto ref = Reference::Parse(c.input);
    REQUIRE_MESSAGE(ref, (ref ? "" : ref.error().ToString()));
    CHECK(ref->String() == c.full);
    CHECK(ref->FamiliarString() == c.familiar);
    CHECK(ref->domain() == c.domain);
    CHECK(ref->path() == c.path);
    CHECK(ref->tag() == c.tag);
    // Both spellings parse back to the same reference, except a familiar name that looks
    // like an image id (docker refuses it too).
    CHECK(Reference::Parse(c.full).value() == *ref);
    if (c.familiar != kHex) CHECK(Reference::Parse(c.familiar).value() == *ref);
  }
}

TEST_CASE("invalid references are rejected") {
  const std::string bad[] = {
      "",
      "https://github.com/docker/docker",
      "docker/Docker",
      "App",
      "app/Sub",
      "localhost:5000/App",
      "-docker",
      "-docker/docker",
      "docker-/docker",
      "-docker-/docker",
      "-docker.io/docker/docker",
      "docker///docker",
      "docker.io/docker/Docker",
      "docker.io/docker///docker",
      "____/____",
      "_docker/_docker",
      "dock..er/docker",
      "dock_.er/docker",
      "dock-.er/docker",
      "dock___er/docker",
      "docker/",
      "/docker",
      "[fc00::1]",
      "[fc00::1]:5000",
      "fc00::1:5000/debian",
      "[fe80::1%eth0]:5000/debian",
      "[2001:db8:3:4::192.0.2.33]:5000/debian",
      "localhost:/app",
      "localhost:50a0/app",
      "example.com:5000/app:",
      kHex,
      "app:-tag",
      "app:.tag",
      "app:" + std::string(129, 'a'),
      "app:tag:more",
      "app:ta/g",
      "app@sha256:abc",
      "app@sha256:" + std::string(64, 'A'),
      "app@md5:" + std::string(32, 'a'),
      "app@",
      "app@@" + kSha,
      "app name",
      "app?x",
      "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_"
      "namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_"
      "lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_"
      "255/docker",
  };
  for (const std::string& s : bad) {
    CAPTURE(s);
    auto ref = Reference::Parse(s);
    REQUIRE_FALSE(ref);
    CHECK(ref.error().code() == ErrorCode::kInvalidArgument);
  }
  CHECK(Reference::Parse("docker/Docker").error().message() ==
        "invalid reference \"docker/Docker\": repository name \"docker/Docker\" must be "
        "lowercase");
  CHECK(Reference::Parse(kHex).error().message().find("image id") != std::string::npos);
}

TEST_CASE("ParseDockerRef adds latest and lets a digest win over a tag") {
  CHECK(Reference::ParseDockerRef("user/app").value().String() == "docker.io/user/app:latest");
  CHECK(Reference::ParseDockerRef("app").value().FamiliarString() == "app:latest");
  CHECK(Reference::ParseDockerRef("app:1.0").value().String() == "docker.io/library/app:1.0");
  CHECK(Reference::ParseDockerRef("app@" + kSha).value().String() ==
        "docker.io/library/app@" + kSha);
  CHECK(Reference::ParseDockerRef("app:1.0@" + kSha).value().String() ==
        "docker.io/library/app@" + kSha);
  CHECK_FALSE(Reference::ParseDockerRef("App"));
}

TEST_CASE("Name, FamiliarName and modifiers") {
  Reference r = Reference::Parse("app:1.0").value();
  CHECK(r.Name() == "docker.io/library/app");
  CHECK(r.FamiliarName() == "app");
  CHECK(r.digest() == std::nullopt);
  CHECK(r.WithDefaultTag().tag() == "1.0");
  CHECK(r.WithoutTag().WithDefaultTag().tag() == "latest");
  CHECK(r.WithTag("2.0").value().FamiliarString() == "app:2.0");
  CHECK_FALSE(r.WithTag("bad tag"));
  Digest d = Digest::Parse(kSha).value();
  Reference with_digest = r.WithDigest(d);
  CHECK(with_digest.FamiliarString() == "app:1.0@" + kSha);
  CHECK(with_digest.WithoutTag().WithDefaultTag().tag().empty());
  CHECK(Reference::Parse("quay.io/a/b").value().FamiliarName() == "quay.io/a/b");
}

TEST_CASE("IsValidTag") {
  CHECK(IsValidTag("latest"));
  CHECK(IsValidTag("1.0.0-rc1_x"));
  CHECK(IsValidTag("_"));
  CHECK_FALSE(IsValidTag(""));
  CHECK_FALSE(IsValidTag("-x"));
  CHECK_FALSE(IsValidTag("a+b"));
}

}  // namespace
}  // namespace builder::oci
