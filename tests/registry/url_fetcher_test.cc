// Tests for FetchUrl's failures that need no server: schemes, refused connections.
#include "registry/url_fetcher.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/closed_port.h"

namespace builder::registry {
namespace {

using builder::testing::ClosedPort;

TEST_CASE("only http and https are fetched") {
  oci::StringSink sink;
  auto r = FetchUrl("file:///etc/passwd", sink);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kInvalidArgument);
  CHECK(sink.data().empty());
}

TEST_CASE("a refused connection is an I/O error naming the URL") {
  oci::StringSink sink;
  std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/x";
  auto r = FetchUrl(url, sink);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kIo);
  CHECK(r.error().ToString().find("GET " + url) != std::string::npos);
}

}  // namespace
}  // namespace builder::registry
