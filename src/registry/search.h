// `search`: Docker Hub's search API, or a v2 registry's _catalog filtered by the term.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "registry/authenticator.h"
#include "registry/registry_transport.h"

namespace builder::registry {

/// One repository found; the fields docker's search prints.
struct SearchResult {
  std::string name;  ///< Hub: "library/busybox" style as Hub names it; catalog: "HOST/REPO"
  std::string description;
  long stars = 0;
  bool official = false;
  bool automated = false;
};

/// Docker's split of a search term: "127.0.0.1:5000/bb" searches registry 127.0.0.1:5000
/// for "bb"; a first part with a '.' or ':' or "localhost" is a registry, anything else
/// (and no '/') is Docker Hub ("docker.io").
struct SearchTarget {
  std::string domain;
  std::string term;
};
SearchTarget ParseSearchTerm(std::string_view text);

/// Hub's /v1/search answer ({"results": [{"name","description","star_count","is_official",
/// "is_automated"}]}). kCorrupt when it is not that shape.
[[nodiscard]] Result<std::vector<SearchResult>> ParseHubSearch(std::string_view json);
/// A _catalog page ({"repositories": [..]}). kCorrupt otherwise.
[[nodiscard]] Result<std::vector<std::string>> ParseCatalog(std::string_view json);
/// The next page of an RFC 5988 Link header (`</v2/_catalog?last=x&n=100>; rel="next"`),
/// resolved against `base` ("http://host"); empty when there is none.
std::string NextPageUrl(std::string_view link, std::string_view base);

/// Searches `target`: Hub through https://index.docker.io/v1/search?q=TERM&n=LIMIT, another
/// registry through its _catalog (every page, with the catalog scope when it challenges),
/// keeping the repositories whose name contains the term, sorted, at most `limit` (0: 25).
[[nodiscard]] Result<std::vector<SearchResult>> Search(RegistryTransport& transport, const SearchTarget& target,
                                                       std::size_t limit, CredentialSource credentials);

}  // namespace builder::registry
