// Search: Hub's v1 search endpoint, or _catalog pages filtered by the term.
#include "registry/search.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "registry/registry_client.h"

namespace builder::registry {
namespace {

using json = nlohmann::json;

constexpr std::size_t kDefaultLimit = 25;
constexpr int kMaxCatalogPages = 1000;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

SearchTarget ParseSearchTerm(std::string_view text) {
  auto slash = text.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = text.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost") {
      std::string domain(first);
      if (domain == "index.docker.io" || domain == "registry-1.docker.io") domain = "docker.io";
      return {domain, std::string(text.substr(slash + 1))};
    }
  }
  return {"docker.io", std::string(text)};
}

Result<std::vector<SearchResult>> ParseHubSearch(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("results") || !doc["results"].is_array())
    return Fail(ErrorCode::kCorrupt, "search answer has no \"results\" list");
  std::vector<SearchResult> out;
  for (const json& r : doc["results"]) {
    if (!r.is_object()) continue;
    SearchResult s;
    if (auto n = r.find("name"); n != r.end() && n->is_string()) s.name = *n;
    if (s.name.empty()) continue;
    if (auto d = r.find("description"); d != r.end() && d->is_string()) s.description = *d;
    if (auto c = r.find("star_count"); c != r.end() && c->is_number_integer()) s.stars = *c;
    if (auto o = r.find("is_official"); o != r.end() && o->is_boolean()) s.official = *o;
    if (auto a = r.find("is_automated"); a != r.end() && a->is_boolean()) s.automated = *a;
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<std::string>> ParseCatalog(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("repositories"))
    return Fail(ErrorCode::kCorrupt, "catalog answer has no \"repositories\" list");
  std::vector<std::string> out;
  const json& repos = doc["repositories"];
  if (repos.is_null()) return out;  // distribution answers null for an empty registry
  if (!repos.is_array()) return Fail(ErrorCode::kCorrupt, "catalog \"repositories\" is not a list");
  for (const json& r : repos)
    if (r.is_string()) out.push_back(r.get<std::string>());
  return out;
}

std::string NextPageUrl(std::string_view link, std::string_view base) {
  // One or more `<url>; rel="next"` entries separated by commas.
  while (!link.empty()) {
    auto open = link.find('<');
    auto close = link.find('>', open);
    if (open == link.npos || close == link.npos) return {};
    std::string_view url = link.substr(open + 1, close - open - 1);
    auto next_entry = link.find(',', close);
    std::string_view params = link.substr(close + 1, next_entry == link.npos ? link.npos : next_entry - close - 1);
    if (params.find("rel=\"next\"") != params.npos || params.find("rel=next") != params.npos) {
      if (url.starts_with("http://") || url.starts_with("https://")) return std::string(url);
      return std::string(base) + std::string(url);
    }
    if (next_entry == link.npos) break;
    link.remove_prefix(next_entry + 1);
  }
  return {};
}

Result<std::vector<SearchResult>> Search(RegistryTransport& transport, const SearchTarget& target,
                                         std::size_t limit, CredentialSource credentials) {
  if (limit == 0) limit = kDefaultLimit;
  if (target.domain == "docker.io") {
    HttpRequest request;
    request.url = "https://index.docker.io/v1/search?q=" + FormEncode(target.term) + "&n=" + std::to_string(limit);
    HttpResponse response = BUILDER_TRY(transport.Send(request, nullptr, 4 << 20));
    if (response.status != 200)
      return Fail(ErrorCode::kIo, "search docker.io: HTTP " + std::to_string(response.status));
    auto results = BUILDER_TRY(ParseHubSearch(response.body));
    if (results.size() > limit) results.resize(limit);
    return results;
  }
  RegistryEndpoint endpoint = RegistryEndpoint::For(target.domain);
  Authenticator auth(transport, endpoint.host, std::move(credentials));
  auth.SetScopes({"registry:catalog:*"});
  std::string api = endpoint.ApiUrl();               // "http://host/v2/"
  std::string base = api.substr(0, api.size() - 4);  // "http://host"
  std::string url = api + "_catalog?n=1000";
  std::string needle = Lower(target.term);
  std::vector<SearchResult> out;
  for (int page = 0; !url.empty() && page < kMaxCatalogPages; ++page) {
    HttpRequest request;
    request.url = url;
    HttpResponse response;
    for (int attempt = 0;; ++attempt) {
      HttpRequest sent = request;
      BUILDER_TRY(auth.Apply(sent));
      response = BUILDER_TRY(transport.Send(sent, nullptr, 16 << 20));
      if (response.status != 401 || attempt == 1) break;
      BUILDER_TRY(auth.OnUnauthorized(response));
    }
    if (response.status == 401 || response.status == 403)
      return Fail(ErrorCode::kPermission, "search " + target.domain + ": the catalog needs other credentials "
                                          "(HTTP " + std::to_string(response.status) + ")");
    if (response.status == 404)
      return Fail(ErrorCode::kUnsupported, "search " + target.domain + ": the registry has no catalog API");
    if (response.status != 200)
      return Fail(ErrorCode::kIo, "search " + target.domain + ": HTTP " + std::to_string(response.status));
    for (std::string& repo : BUILDER_TRY(ParseCatalog(response.body)))
      if (Lower(repo).find(needle) != std::string::npos) out.push_back({target.domain + "/" + repo, "", 0, false, false});
    url = NextPageUrl(response.Header("link"), base);
  }
  std::sort(out.begin(), out.end(), [](const SearchResult& a, const SearchResult& b) { return a.name < b.name; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace builder::registry
