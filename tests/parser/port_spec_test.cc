// EXPOSE word parsing with BuildKit's parsePortSpec rules.
#include "parser/port_spec.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace builder::parser {
namespace {

using Ports = std::vector<std::string>;

Ports Ok(std::string_view s) {
  auto r = ParsePortSpec(s);
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message()));
  return *r;
}

std::string Err(std::string_view s) {
  auto r = ParsePortSpec(s);
  REQUIRE_FALSE_MESSAGE(r.has_value(), std::string(s));
  return r.error().message();
}

TEST_CASE("ports, protocols, ranges") {
  CHECK(Ok("80") == Ports{"80/tcp"});
  CHECK(Ok("53/udp") == Ports{"53/udp"});
  CHECK(Ok("9/SCTP") == Ports{"9/sctp"});
  CHECK(Ok("80/") == Ports{"80/tcp"});
  CHECK(Ok("8000-8002") == Ports{"8000/tcp", "8001/tcp", "8002/tcp"});
  CHECK(Ok("0") == Ports{"0/tcp"});
  CHECK(Ok("65535") == Ports{"65535/tcp"});
  CHECK(Ok("8080:80") == Ports{"80/tcp"});
  CHECK(Ok("127.0.0.1:8080:80/udp") == Ports{"80/udp"});
  CHECK(Ok("[::1]:8080:80") == Ports{"80/tcp"});
  CHECK(Ok("::1:8080:80") == Ports{"80/tcp"});
  CHECK(Ok("9000-9001:80") == Ports{"80/tcp"});
  CHECK(Ok("9000-9001:80-81") == Ports{"80/tcp", "81/tcp"});
  CHECK(Ok("0-65535").size() == 65536);
}

TEST_CASE("errors") {
  CHECK(Err("80/sctpx") == "invalid proto: sctpx");
  CHECK(Err("http") == "invalid containerPort: http");
  CHECK(Err("65536") == "invalid containerPort: 65536");
  CHECK(Err("90-80") == "invalid containerPort: 90-80");
  CHECK(Err("1-2-3") == "invalid containerPort: 1-2-3");
  CHECK(Err("-80") == "invalid containerPort: -80");
  CHECK(Err("") == "no port specified: <empty>");
  CHECK(Err("/tcp") == "no port specified: /tcp<empty>");
  CHECK(Err("x:80") == "invalid hostPort: x");
  CHECK(Err("1.2.3:8080:80") == "invalid IP address: 1.2.3");
  CHECK(Err("8000-8002:80-81") ==
        "invalid ranges specified for container and host Ports: 80-81 and 8000-8002");
}

TEST_CASE("ParsePortSpecRange does not expand") {
  auto r = ParsePortSpecRange("127.0.0.1:1000-2000:1000-2000/UDP");
  REQUIRE(r.has_value());
  CHECK(r->start == 1000);
  CHECK(r->end == 2000);
  CHECK(r->proto == "udp");
  CHECK(ParsePortSpecRange("80/x").error().message() == "invalid proto: x");
}

}  // namespace
}  // namespace builder::parser
