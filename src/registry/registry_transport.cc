// Header lookups on HttpResponse and URL helpers shared by the transports.
#include "registry/registry_transport.h"

#include <algorithm>
#include <cctype>

namespace builder::registry {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (SameName(key, name)) return value;
  return {};
}

std::vector<std::string> HttpResponse::Headers(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : headers)
    if (SameName(key, name)) out.push_back(value);
  return out;
}

std::string UrlAuthority(std::string_view url) {
  bool https = url.starts_with("https://");
  std::size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::size_t close = authority.rfind(']');
  std::size_t colon = authority.rfind(':');
  bool has_port = colon != std::string_view::npos && (close == std::string_view::npos || colon > close);
  std::string out(authority);
  if (!has_port) out += https ? ":443" : ":80";
  return out;
}

}  // namespace builder::registry
