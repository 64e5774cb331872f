// certs.d discovery: CA files, client certificate pairs, docker's missing-pair errors.
#include "registry/certs_dir.h"

#include <sys/stat.h>

#include <doctest/doctest.h>

#include "oci/temp_tree.h"

namespace builder::registry {
namespace {

using builder::oci::testing::PutFile;
using builder::oci::testing::TempDir;

TEST_CASE("certs.d: *.crt are CAs, X.cert pairs with X.key, roots in order") {
  TempDir a, b;
  REQUIRE(::mkdir((a / "reg.test:5000").c_str(), 0755) == 0);
  REQUIRE(::mkdir((b / "reg.test:5000").c_str(), 0755) == 0);
  REQUIRE(PutFile(a / "reg.test:5000/ca.crt", "A"));
  REQUIRE(PutFile(b / "reg.test:5000/extra.crt", "B"));
  REQUIRE(PutFile(b / "reg.test:5000/client.cert", "C"));
  REQUIRE(PutFile(b / "reg.test:5000/client.key", "K"));
  auto files = FindTlsFiles("reg.test:5000", {a.path(), b.path(), a / "absent"});
  REQUIRE(files);
  REQUIRE(files->ca_files.size() == 2);
  CHECK(files->ca_files[0] == a / "reg.test:5000/ca.crt");
  CHECK(files->ca_files[1] == b / "reg.test:5000/extra.crt");
  CHECK(files->client_cert == b / "reg.test:5000/client.cert");
  CHECK(files->client_key == b / "reg.test:5000/client.key");
  auto other = FindTlsFiles("other.test", {a.path()});
  REQUIRE(other);
  CHECK(other->empty());
  auto escape = FindTlsFiles("../x", {a.path()});
  REQUIRE(escape);
  CHECK(escape->empty());
}

TEST_CASE("certs.d: a certificate without its key (or a key alone) is an error naming the file") {
  TempDir a;
  REQUIRE(::mkdir((a / "h").c_str(), 0755) == 0);
  REQUIRE(PutFile(a / "h/client.cert", "C"));
  auto files = FindTlsFiles("h", {a.path()});
  REQUIRE_FALSE(files);
  CHECK(files.error().message().find("missing key client.key") != std::string::npos);
  REQUIRE(::unlink((a / "h/client.cert").c_str()) == 0);
  REQUIRE(PutFile(a / "h/client.key", "K"));
  auto alone = FindTlsFiles("h", {a.path()});
  REQUIRE_FALSE(alone);
  CHECK(alone.error().message().find("missing client certificate client.cert") != std::string::npos);
}

TEST_CASE("$BUILDER_CERTS_DIR replaces the default roots") {
  ::setenv("BUILDER_CERTS_DIR", "/tmp/x-certs", 1);
  CHECK(CertsDirRoots() == std::vector<std::string>{"/tmp/x-certs"});
  ::unsetenv("BUILDER_CERTS_DIR");
  auto roots = CertsDirRoots();
  REQUIRE_FALSE(roots.empty());
  CHECK(roots.back() == "/etc/docker/certs.d");
}

}  // namespace
}  // namespace builder::registry
