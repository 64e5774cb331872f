// Parsing of docker's `-p` published-port syntax.
#include "runner/network/port_mapping.h"

#include <charconv>
#include <vector>

#include "runner/network/ipv4.h"

namespace builder::runner::network {
namespace {

Result<uint16_t> ParsePort(std::string_view text, std::string_view whole, bool zero_ok) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 65535 ||
      (value == 0 && !zero_ok)) {
    return Fail(ErrorCode::kInvalidArgument, "invalid port in -p " + std::string(whole));
  }
  return static_cast<uint16_t>(value);
}

}  // namespace

std::string PortMapping::ToString() const {
  return (host_ip.empty() ? std::string("0.0.0.0") : host_ip) + ":" + std::to_string(host_port) +
         "->" + std::to_string(container_port) + "/" + protocol;
}

Result<PortMapping> ParsePortMapping(std::string_view text) {
  PortMapping m;
  std::string_view rest = text;
  if (size_t slash = rest.rfind('/'); slash != std::string_view::npos) {
    m.protocol = std::string(rest.substr(slash + 1));
    rest = rest.substr(0, slash);
    if (m.protocol != "tcp" && m.protocol != "udp") {
      return Fail(ErrorCode::kInvalidArgument,
                  "invalid protocol in -p " + std::string(text) + " (tcp or udp)");
    }
  }
  if (rest.starts_with('[')) {
    return Fail(ErrorCode::kUnsupported, "IPv6 host addresses are not supported: -p " + std::string(text));
  }
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t colon = rest.find(':', start);
    parts.push_back(rest.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3) return Fail(ErrorCode::kInvalidArgument, "invalid -p " + std::string(text));
  m.container_port = BUILDER_TRY(ParsePort(parts.back(), text, false));
  if (parts.size() >= 2 && !parts[parts.size() - 2].empty()) {
    m.host_port = BUILDER_TRY(ParsePort(parts[parts.size() - 2], text, true));
  }
  if (parts.size() == 3 && !parts[0].empty()) {
    uint32_t ip = BUILDER_TRY(ParseIpv4(parts[0]));
    if (ip != 0) m.host_ip = FormatIpv4(ip);
  }
  return m;
}

}  // namespace builder::runner::network
