// Tests for platform specifier parsing, normalization, matching and JSON.
#include "oci/platform.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::oci {
namespace {

Platform P(std::string os, std::string arch, std::string variant = "") {
  Platform p;
  p.os = std::move(os);
  p.architecture = std::move(arch);
  p.variant = std::move(variant);
  return p;
}

TEST_CASE("Parse normalizes like containerd") {
  struct Case {
    const char* spec;
    Platform want;
  };
  const Case cases[] = {
      {"linux/amd64", P("linux", "amd64")},
      {"linux/x86_64", P("linux", "amd64")},
      {"linux/x86-64", P("linux", "amd64")},
      {"Linux/AMD64", P("linux", "amd64")},
      {"linux/amd64/v1", P("linux", "amd64")},
      {"linux/amd64/v3", P("linux", "amd64", "v3")},
      {"linux/arm64", P("linux", "arm64")},
      {"linux/aarch64", P("linux", "arm64")},
      {"linux/arm64/v8", P("linux", "arm64", "v8")},
      {"linux/aarch64/8", P("linux", "arm64", "v8")},
      {"linux/arm64/v9", P("linux", "arm64", "v9")},
      {"linux/arm", P("linux", "arm")},
      {"linux/armhf", P("linux", "arm")},
      {"linux/armel", P("linux", "arm", "v6")},
      {"linux/arm/v7", P("linux", "arm", "v7")},
      {"linux/arm/7", P("linux", "arm", "v7")},
      {"linux/arm/6", P("linux", "arm", "v6")},
      {"linux/arm/v5", P("linux", "arm", "v5")},
      {"linux/i386", P("linux", "386")},
      {"linux/386", P("linux", "386")},
      {"macos/arm64", P("darwin", "arm64")},
      {"windows/amd64", P("windows", "amd64")},
      {"linux/ppc64le", P("linux", "ppc64le")},
      {"linux/s390x", P("linux", "s390x")},
      {"linux/riscv64", P("linux", "riscv64")},
      {"freebsd/unknownarch", P("freebsd", "unknownarch")},
  };
  for (const Case& c : cases) {
    CAPTURE(c.spec);
    auto p = Platform::Parse(c.spec);
    REQUIRE(p);
    CHECK(*p == c.want);
  }
}

TEST_CASE("Parse fills a lone OS or architecture from the host") {
  Platform host = Platform::Host();
  auto os_only = Platform::Parse("linux");
  REQUIRE(os_only);
  CHECK(os_only->os == "linux");
  CHECK(os_only->architecture == host.architecture);
  auto arch_only = Platform::Parse("aarch64");
  REQUIRE(arch_only);
  CHECK(arch_only->os == host.os);
  CHECK(arch_only->architecture == "arm64");
  auto armhf = Platform::Parse("armhf");
  REQUIRE(armhf);
  CHECK(armhf->architecture == "arm");
  CHECK(armhf->variant.empty());
  CHECK(Platform::Parse("armel").value().variant == "v6");
}

TEST_CASE("Parse reads os version and features") {
  auto p = Platform::Parse("windows(10.0.17763+win32k+foo)/amd64");
  REQUIRE(p);
  CHECK(p->os == "windows");
  CHECK(p->os_version == "10.0.17763");
  CHECK(p->os_features == std::vector<std::string>{"win32k", "foo"});
  auto v = Platform::Parse("windows(10.0.20348)/amd64");
  REQUIRE(v);
  CHECK(v->os_version == "10.0.20348");
  CHECK(v->os_features.empty());
}

TEST_CASE("Parse rejects malformed specifiers") {
  const char* bad[] = {"",
                       "linux/",
                       "/amd64",
                       "linux//v7",
                       "linux/amd64/",
                       "linux/arm/v7/extra",
                       "linux/*",
                       "*",
                       "linux/am d64",
                       "notanos",
                       "linux(10.0",
                       "linux(a++b)/amd64",
                       "lin.ux/amd64",
                       "linux/amd64/v$"};
  for (const char* s : bad) {
    CAPTURE(s);
    auto p = Platform::Parse(s);
    REQUIRE_FALSE(p);
    CHECK(p.error().code() == ErrorCode::kInvalidArgument);
  }
  CHECK(Platform::Parse("notanos").error().message() ==
        "invalid platform \"notanos\": unknown operating system or architecture");
}

TEST_CASE("Normalized gives one canonical form") {
  CHECK(P("linux", "arm").Normalized() == P("linux", "arm", "v7"));
  CHECK(P("linux", "armhf").Normalized() == P("linux", "arm", "v7"));
  CHECK(P("linux", "arm", "8").Normalized() == P("linux", "arm", "v8"));
  CHECK(P("linux", "arm64", "v8").Normalized() == P("linux", "arm64"));
  CHECK(P("linux", "AArch64", "8").Normalized() == P("linux", "arm64"));
  CHECK(P("linux", "amd64", "v1").Normalized() == P("linux", "amd64"));
  CHECK(P("linux", "amd64", "v2").Normalized() == P("linux", "amd64", "v2"));
  CHECK(P("MacOS", "x86_64").Normalized() == P("darwin", "amd64"));
  Platform f = P("windows", "amd64");
  f.os_features = {"b", "a", "b"};
  CHECK(f.Normalized().os_features == std::vector<std::string>{"a", "b"});
}

TEST_CASE("Matches compares normalized platforms") {
  CHECK(P("linux", "arm64").Matches(P("linux", "arm64", "v8")));
  CHECK(P("linux", "arm64", "v8").Matches(P("linux", "aarch64")));
  CHECK(P("linux", "arm").Matches(P("linux", "arm", "v7")));
  CHECK(P("linux", "amd64").Matches(P("linux", "x86_64")));
  CHECK_FALSE(P("linux", "arm", "v6").Matches(P("linux", "arm", "v7")));
  CHECK_FALSE(P("linux", "amd64").Matches(P("linux", "arm64")));
  CHECK_FALSE(P("linux", "amd64").Matches(P("windows", "amd64")));
  CHECK_FALSE(P("linux", "amd64").Matches(P("linux", "amd64", "v3")));
  // The candidate's features must be a subset of ours.
  Platform with = P("windows", "amd64");
  with.os_features = {"win32k"};
  CHECK(with.Matches(P("windows", "amd64")));
  CHECK_FALSE(P("windows", "amd64").Matches(with));
  CHECK(with.Matches(with));
}

TEST_CASE("Host is normalized and known") {
  Platform host = Platform::Host();
  CHECK(host.os == "linux");
  CHECK_FALSE(host.architecture.empty());
  CHECK(host == host.Normalized());
  CHECK(host.Matches(host));
}

TEST_CASE("ToString") {
  CHECK(P("linux", "arm64", "v8").ToString() == "linux/arm64/v8");
  CHECK(P("linux", "amd64").ToString() == "linux/amd64");
  CHECK(Platform().ToString() == "unknown");
}

TEST_CASE("JSON round trip and errors") {
  Platform p = P("linux", "arm", "v7");
  p.os_version = "1.0";
  p.os_features = {"x"};
  std::string json = p.Serialize();
  CHECK(
      json ==
      R"({"architecture":"arm","os":"linux","os.version":"1.0","os.features":["x"],"variant":"v7"})");
  CHECK(Platform::ParseJson(json).value() == p);
  CHECK(P("linux", "amd64").Serialize() == R"({"architecture":"amd64","os":"linux"})");
  auto missing = Platform::ParseJson(R"({"os":"linux"})");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::kCorrupt);
  CHECK(missing.error().message() == "platform.architecture: required field missing");
  auto wrong = Platform::ParseJson(R"({"os":"linux","architecture":"amd64","variant":7})");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message() == "platform.variant: expected a string, got number");
  CHECK(Platform::ParseJson("{").error().code() == ErrorCode::kParse);
}

}  // namespace
}  // namespace builder::oci
