// Tests for pasta's command line, the free-port picker and the missing-pasta error.
#include "sandbox/pasta.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

namespace builder::sandbox {
namespace {

// The values following each occurrence of `flag`.
std::vector<std::string> ValuesOf(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == flag) out.push_back(argv[i + 1]);
  }
  return out;
}

bool Has(const std::vector<std::string>& argv, const std::string& word) {
  return std::find(argv.begin(), argv.end(), word) != argv.end();
}

}  // namespace

TEST_CASE("PastaArgv forwards only the published ports and nothing back to the host") {
  std::vector<PastaPort> ports = {{"", 8080, 80, false}, {"127.0.0.1", 9000, 90, false}, {"", 5353, 53, true}};
  std::vector<std::string> argv = PastaArgv(4242, ports, "/run/x/pasta.pid", false);
  CHECK(argv.front() == "pasta");
  CHECK(argv.back() == "4242");
  CHECK(Has(argv, "--config-net"));
  CHECK(Has(argv, "--foreground"));
  CHECK(Has(argv, "--no-map-gw"));
  CHECK(ValuesOf(argv, "--tcp-ports") == std::vector<std::string>{"8080:80", "127.0.0.1/9000:90"});
  CHECK(ValuesOf(argv, "--udp-ports") == std::vector<std::string>{"5353:53"});
  CHECK(ValuesOf(argv, "--tcp-ns") == std::vector<std::string>{"none"});
  CHECK(ValuesOf(argv, "--udp-ns") == std::vector<std::string>{"none"});
  CHECK(ValuesOf(argv, "--pid") == std::vector<std::string>{"/run/x/pasta.pid"});
  // DNS sent to the forwarder goes to the host's first nameserver, also a loopback one.
  CHECK(ValuesOf(argv, "--dns-forward") == std::vector<std::string>{kPastaDnsForward});
  CHECK_FALSE(Has(argv, "--runas"));
}

TEST_CASE("PastaArgv without ports forwards none, and stays root as root") {
  std::vector<std::string> argv = PastaArgv(7, {}, "/p", true);
  // pasta's default for both is "auto": every port bound in the namespace would be published.
  CHECK(ValuesOf(argv, "--tcp-ports") == std::vector<std::string>{"none"});
  CHECK(ValuesOf(argv, "--udp-ports") == std::vector<std::string>{"none"});
  CHECK(ValuesOf(argv, "--runas") == std::vector<std::string>{"0:0"});
}

TEST_CASE("PickFreePort gives a port above 0 and refuses a malformed address") {
  auto tcp = PickFreePort("127.0.0.1", false);
  REQUIRE(tcp);
  CHECK(*tcp > 0);
  auto udp = PickFreePort("", true);
  REQUIRE(udp);
  CHECK(*udp > 0);
  auto bad = PickFreePort("not-an-ip", false);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("Pasta::Start without pasta in PATH names the package") {
  const char* old = ::getenv("PATH");
  std::string saved = old ? old : "";
  ::setenv("PATH", "/nonexistent-dir", 1);
  auto started = Pasta::Start(1, {}, "/tmp");
  ::setenv("PATH", saved.c_str(), 1);
  REQUIRE_FALSE(started);
  CHECK(started.error().code() == ErrorCode::kNotFound);
  CHECK(started.error().message().find("passt") != std::string::npos);
}

}  // namespace builder::sandbox
