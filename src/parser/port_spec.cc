// EXPOSE port parsing with BuildKit's convert_expose.go rules.
#include "parser/port_spec.h"

#include <arpa/inet.h>

#include <cstdint>
#include <optional>

namespace builder::parser {

namespace {

std::unexpected<Error> Invalid(std::string message) {
  return Fail(ErrorCode::kParse, std::move(message));
}

// strconv.ParseUint(s, 10, 16).
std::optional<std::uint32_t> ParsePort(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint32_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint32_t>(c - '0');
    if (n > 65535) return std::nullopt;
  }
  return n;
}

struct PortRange {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
};

std::optional<PortRange> ParseRange(std::string_view s) {
  std::size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    auto p = ParsePort(s);
    if (!p) return std::nullopt;
    return PortRange{*p, *p};
  }
  if (s.find('-', dash + 1) != std::string_view::npos) return std::nullopt;
  auto a = ParsePort(s.substr(0, dash));
  auto b = ParsePort(s.substr(dash + 1));
  if (!a || !b || *b < *a) return std::nullopt;
  return PortRange{*a, *b};
}

bool IsIp(const std::string& ip) {
  unsigned char buf[16];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

}  // namespace

Result<PortSpec> ParsePortSpecRange(std::string_view word) {
  // Split on ':' into [ip...:]host:container, the IP keeping any extra colons (IPv6).
  std::string_view ip, host, container = word;
  std::size_t last = word.rfind(':');
  if (last != std::string_view::npos) {
    container = word.substr(last + 1);
    std::string_view rest = word.substr(0, last);
    std::size_t prev = rest.rfind(':');
    if (prev == std::string_view::npos) {
      host = rest;
    } else {
      host = rest.substr(prev + 1);
      ip = rest.substr(0, prev);
    }
  }
  std::string_view port = container, proto_raw;
  if (std::size_t slash = container.find('/'); slash != std::string_view::npos) {
    port = container.substr(0, slash);
    proto_raw = container.substr(slash + 1);
  }
  if (port.empty()) return Invalid("no port specified: " + std::string(container) + "<empty>");
  std::string proto(proto_raw);
  for (char& c : proto)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (proto.empty()) proto = "tcp";
  if (proto != "tcp" && proto != "udp" && proto != "sctp")
    return Invalid("invalid proto: " + proto);

  if (!ip.empty()) {
    std::string addr(ip);
    if (addr.front() == '[') {
      if (addr.back() != ']') return Invalid("invalid IP address " + addr);
      addr = addr.substr(1, addr.size() - 2);
    }
    if (!IsIp(addr)) return Invalid("invalid IP address: " + addr);
  }
  auto range = ParseRange(port);
  if (!range) return Invalid("invalid containerPort: " + std::string(port));
  if (!host.empty()) {
    auto host_range = ParseRange(host);
    if (!host_range) return Invalid("invalid hostPort: " + std::string(host));
    if (range->end - range->start != host_range->end - host_range->start &&
        range->end != range->start) {
      return Invalid("invalid ranges specified for container and host Ports: " + std::string(port) +
                     " and " + std::string(host));
    }
  }
  return PortSpec{range->start, range->end, std::move(proto)};
}

Result<std::vector<std::string>> ParsePortSpec(std::string_view word) {
  PortSpec spec = BUILDER_TRY(ParsePortSpecRange(word));
  std::vector<std::string> out;
  for (std::uint32_t p = spec.start; p <= spec.end; ++p)
    out.push_back(std::to_string(p) + "/" + spec.proto);
  return out;
}

}  // namespace builder::parser
