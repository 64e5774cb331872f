// Tests for RegistryClient against the fake registry: endpoints, auth retries, manifest checks.
#include "registry/registry_client.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include "fake_registry.h"

namespace builder::registry {
namespace {

using testing::FakeRegistry;

RegistryClient ClientFor(FakeRegistry& reg, const std::string& repo = "lib/bb", CredentialSource creds = {}) {
  return RegistryClient(reg, RegistryEndpoint::For("127.0.0.1:5000"), repo, std::move(creds));
}

TEST_CASE("endpoints: Docker Hub's API host, plain http for loopback and listed registries") {
  ::unsetenv("BUILDER_INSECURE_REGISTRIES");
  auto hub = RegistryEndpoint::For("docker.io");
  CHECK(hub.host == "registry-1.docker.io");
  CHECK(hub.ApiUrl() == "https://registry-1.docker.io/v2/");
  CHECK(RegistryEndpoint::For("127.0.0.1:5000").ApiUrl() == "http://127.0.0.1:5000/v2/");
  CHECK(RegistryEndpoint::For("127.1.2.3").plain_http);
  CHECK(RegistryEndpoint::For("localhost:5000").plain_http);
  CHECK(RegistryEndpoint::For("[::1]:5000").plain_http);
  CHECK_FALSE(RegistryEndpoint::For("127x.example.com").plain_http);
  CHECK_FALSE(RegistryEndpoint::For("reg.test:5000").plain_http);
  ::setenv("BUILDER_INSECURE_REGISTRIES", "other.test:1, reg.test", 1);
  CHECK(RegistryEndpoint::For("reg.test:5000").plain_http);
  CHECK(RegistryEndpoint::For("other.test:1").plain_http);
  CHECK_FALSE(RegistryEndpoint::For("other.test:2").plain_http);
  ::unsetenv("BUILDER_INSECURE_REGISTRIES");
}

TEST_CASE("a bearer challenge gets a token that is sent on the retry and reused") {
  FakeRegistry reg;
  reg.token = "tok-123";
  oci::Descriptor m = reg.AddImage("lib/bb", "1", "layer");
  auto client = ClientFor(reg);
  auto got = client.GetManifest("1");
  REQUIRE(got);
  CHECK(got->digest == m.digest);
  CHECK(got->media_type == oci::kOciManifest);
  // manifest (401), token, manifest again
  REQUIRE(reg.requests.size() == 3);
  CHECK(reg.requests[1].url == "http://auth.test/token?service=fake&scope=repository%3Alib%2Fbb%3Apull");
  CHECK(FakeRegistry::HasHeader(reg.requests[2], "Authorization", "Bearer tok-123"));
  bool accepts_index = false;
  for (const auto& [n, v] : reg.requests[0].headers)
    accepts_index |= n == "Accept" && v.find(std::string(oci::kOciIndex)) != std::string::npos &&
                     v.find(std::string(oci::kDockerManifest)) != std::string::npos;
  CHECK(accepts_index);
  oci::StringSink sink;
  auto manifest = oci::Manifest::Parse(got->bytes);
  REQUIRE(manifest);
  REQUIRE(client.GetBlob(manifest->layers[0].digest, sink));
  CHECK(sink.data() == FakeRegistry::LayerTar("layer"));
  CHECK(reg.Count("auth.test") == 1);
}

TEST_CASE("a token refused again is a permission error that names no secret") {
  FakeRegistry reg;
  reg.token = "right";
  reg.overrides["http://auth.test/token?service=fake&scope=repository%3Alib%2Fbb%3Apull"] = [] {
    HttpResponse r;
    r.status = 200;
    r.body = R"({"token":"wrong-token"})";
    return r;
  };
  reg.AddImage("lib/bb", "1", "layer");
  auto client = ClientFor(reg, "lib/bb", [] {
    return Result<std::optional<RegistryCredentials>>(RegistryCredentials{"user", "hunter2"});
  });
  auto got = client.GetManifest("1");
  REQUIRE_FALSE(got);
  CHECK(got.error().code() == ErrorCode::kPermission);
  std::string text = got.error().ToString();
  CHECK(text.find("pull access denied for lib/bb") != std::string::npos);
  CHECK(text.find("the stored credentials were refused") != std::string::npos);
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(text.find("wrong-token") == std::string::npos);
  // the token request carried the stored credentials as Basic auth
  CHECK(FakeRegistry::HasHeader(reg.requests[1], "Authorization", BasicAuthorization({"user", "hunter2"})));
}

TEST_CASE("a basic challenge without stored credentials says so") {
  FakeRegistry reg;
  reg.overrides["http://127.0.0.1:5000/v2/lib/bb/manifests/1"] = [] {
    HttpResponse r;
    r.status = 401;
    r.headers.emplace_back("www-authenticate", "Basic realm=\"reg\"");
    return r;
  };
  auto client = ClientFor(reg);
  auto got = client.GetManifest("1");
  REQUIRE_FALSE(got);
  CHECK(got.error().code() == ErrorCode::kPermission);
  CHECK(got.error().ToString().find("requires credentials") != std::string::npos);
}

TEST_CASE("an unknown tag is kNotFound naming it") {
  FakeRegistry reg;
  auto client = ClientFor(reg);
  auto got = client.GetManifest("nope");
  REQUIRE_FALSE(got);
  CHECK(got.error().code() == ErrorCode::kNotFound);
  CHECK(got.error().ToString().find("manifest lib/bb:nope not found in the registry") != std::string::npos);
  oci::StringSink sink;
  auto blob = client.GetBlob(oci::Digest::Of("x"), sink);
  REQUIRE_FALSE(blob);
  CHECK(blob.error().code() == ErrorCode::kNotFound);
}

TEST_CASE("manifest digests are checked against the request and Docker-Content-Digest") {
  FakeRegistry reg;
  oci::Descriptor m = reg.AddImage("lib/bb", "1", "layer");
  auto client = ClientFor(reg);
  // served under its digest, but with other bytes
  reg.manifests["lib/bb/manifests/" + m.digest.str()].second += " ";
  auto by_digest = client.GetManifest(m.digest.str());
  REQUIRE_FALSE(by_digest);
  CHECK(by_digest.error().code() == ErrorCode::kCorrupt);
  reg.overrides["http://127.0.0.1:5000/v2/lib/bb/manifests/1"] = [&] {
    HttpResponse r;
    r.status = 200;
    r.body = reg.manifests["lib/bb/manifests/1"].second;
    r.headers.emplace_back("docker-content-digest", oci::Digest::Of("other").str());
    return r;
  };
  auto by_tag = client.GetManifest("1");
  REQUIRE_FALSE(by_tag);
  CHECK(by_tag.error().code() == ErrorCode::kCorrupt);
  CHECK(by_tag.error().ToString().find("the registry says") != std::string::npos);
}

TEST_CASE("server errors are I/O errors with the registry's reason; schema 1 is refused") {
  FakeRegistry reg;
  reg.overrides["http://127.0.0.1:5000/v2/lib/bb/manifests/1"] = [] {
    HttpResponse r;
    r.status = 500;
    r.body = R"({"errors":[{"code":"UNKNOWN","message":"disk on fire"}]})";
    return r;
  };
  reg.overrides["http://127.0.0.1:5000/v2/lib/bb/manifests/old"] = [] {
    HttpResponse r;
    r.status = 200;
    r.headers.emplace_back("content-type", "application/vnd.docker.distribution.manifest.v1+prettyjws");
    r.body = R"({"schemaVersion":1})";
    return r;
  };
  auto client = ClientFor(reg);
  auto got = client.GetManifest("1");
  REQUIRE_FALSE(got);
  CHECK(got.error().code() == ErrorCode::kIo);
  CHECK(got.error().ToString().find("HTTP 500") != std::string::npos);
  CHECK(got.error().ToString().find("disk on fire") != std::string::npos);
  auto old = client.GetManifest("old");
  REQUIRE_FALSE(old);
  CHECK(old.error().code() == ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace builder::registry
