// Parsing and printing of IPv4 addresses and subnets.
#include "runner/network/ipv4.h"

#include <arpa/inet.h>

#include <charconv>

namespace builder::runner::network {

Result<uint32_t> ParseIpv4(std::string_view text) {
  std::string s(text);
  in_addr a{};
  if (::inet_pton(AF_INET, s.c_str(), &a) != 1) {
    return Fail(ErrorCode::kInvalidArgument, "invalid IPv4 address: " + s);
  }
  return ntohl(a.s_addr);
}

std::string FormatIpv4(uint32_t address) {
  in_addr a{htonl(address)};
  char buf[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

bool Ipv4Net::Overlaps(const Ipv4Net& other) const {
  const int shorter = prefix < other.prefix ? prefix : other.prefix;
  const Ipv4Net wide{address, shorter};
  return wide.Contains(other.address) && wide.Contains(address);
}

std::string Ipv4Net::ToString() const { return FormatIpv4(address) + "/" + std::to_string(prefix); }

Result<Ipv4Net> ParseIpv4Net(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "invalid subnet (want A.B.C.D/N): " + std::string(text));
  }
  Ipv4Net net;
  net.address = BUILDER_TRY(ParseIpv4(text.substr(0, slash)));
  std::string_view bits = text.substr(slash + 1);
  auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), net.prefix);
  if (ec != std::errc() || end != bits.data() + bits.size() || net.prefix < 1 || net.prefix > 30) {
    return Fail(ErrorCode::kInvalidArgument, "invalid subnet prefix (1-30): " + std::string(text));
  }
  if ((net.address & net.Mask()) != net.address) {
    return Fail(ErrorCode::kInvalidArgument, "subnet has host bits set: " + std::string(text));
  }
  return net;
}

}  // namespace builder::runner::network
