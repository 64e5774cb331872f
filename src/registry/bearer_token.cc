// Token endpoint requests (docker's GET with Basic, OAuth2 POST with a refresh token) and answers.
#include "registry/bearer_token.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <nlohmann/json.hpp>

namespace builder::registry {
namespace {

using json = nlohmann::json;

constexpr std::chrono::seconds kDefaultLifetime{60};
// A longer promise is cut: the answer may be hostile, and a huge expires_in overflowed the clock.
constexpr std::chrono::seconds kMaxLifetime{24 * 3600};
// Times past 2242 do not fit the nanosecond clock; an issued_at beyond it is ignored.
constexpr std::time_t kMaxTime = std::time_t{1} << 33;

// "2024-01-02T03:04:05Z", fractions and an offset allowed; nullopt when malformed.
std::optional<Clock::time_point> ParseRfc3339(std::string_view s) {
  std::tm tm{};
  std::string text(s);
  const char* rest = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return std::nullopt;
  if (*rest == '.')
    for (++rest; std::isdigit(static_cast<unsigned char>(*rest));) ++rest;
  long offset = 0;
  if (*rest == '+' || *rest == '-') {
    int h = 0, m = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &h, &m) != 2) return std::nullopt;
    offset = (*rest == '+' ? 1 : -1) * (h * 3600L + m * 60L);
  } else if (*rest != 'Z' && *rest != 'z') {
    return std::nullopt;
  }
  std::time_t t = ::timegm(&tm);
  if (t == static_cast<std::time_t>(-1) || t < 0 || t > kMaxTime) return std::nullopt;
  return Clock::from_time_t(t - offset);
}

std::string Param(const AuthChallenge& c, const char* name) {
  auto it = c.params.find(name);
  return it == c.params.end() ? std::string() : it->second;
}

}  // namespace

Result<BearerToken> ParseBearerToken(std::string_view text, Clock::time_point now) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Fail(ErrorCode::kCorrupt, "token endpoint answered something other than a JSON object");
  BearerToken out;
  for (const char* key : {"token", "access_token"}) {
    auto it = doc.find(key);
    if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
      out.token = it->get<std::string>();
      break;
    }
  }
  if (out.token.empty()) return Fail(ErrorCode::kCorrupt, "token endpoint answer has no token");
  if (auto r = doc.find("refresh_token"); r != doc.end() && r->is_string()) out.refresh_token = *r;
  std::chrono::seconds lifetime = kDefaultLifetime;
  if (auto e = doc.find("expires_in"); e != doc.end() && e->is_number() && e->get<double>() > 0)
    lifetime = std::chrono::seconds(
        static_cast<long long>(std::min(e->get<double>(), static_cast<double>(kMaxLifetime.count()))));
  Clock::time_point issued = now;
  if (auto i = doc.find("issued_at"); i != doc.end() && i->is_string())
    if (auto t = ParseRfc3339(i->get<std::string>())) issued = *t;
  out.expires = issued + lifetime;
  return out;
}

Result<HttpRequest> BuildTokenRequest(const AuthChallenge& challenge, const TokenRequest& request) {
  std::string realm = Param(challenge, "realm");
  if (realm.empty()) return Fail(ErrorCode::kInvalidArgument, "bearer challenge without a realm");
  if (!realm.starts_with("https://") && !realm.starts_with("http://"))
    return Fail(ErrorCode::kInvalidArgument, "bearer realm is not an http(s) URL: " + QuoteForMessage(realm));
  std::string service = Param(challenge, "service");
  std::vector<std::string> scopes = request.scopes;
  if (scopes.empty())
    if (std::string s = Param(challenge, "scope"); !s.empty()) scopes.push_back(s);
  HttpRequest out;
  const RegistryCredentials* creds = request.credentials ? &*request.credentials : nullptr;
  if (creds && !creds->identity_token.empty()) {
    out.method = "POST";
    out.url = realm;
    out.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    std::string form = "grant_type=refresh_token&refresh_token=" + FormEncode(creds->identity_token);
    form += "&service=" + FormEncode(service) + "&client_id=" + FormEncode(request.client_id);
    if (request.offline) form += "&access_type=offline";
    std::string joined;
    for (const std::string& s : scopes) joined += (joined.empty() ? "" : " ") + s;
    if (!joined.empty()) form += "&scope=" + FormEncode(joined);
    out.body = std::move(form);
    return out;
  }
  std::string url = realm;
  char sep = realm.find('?') == std::string::npos ? '?' : '&';
  auto add = [&](std::string_view name, std::string_view value) {
    url += sep;
    url += name;
    url += '=';
    url += FormEncode(value);
    sep = '&';
  };
  if (!service.empty()) add("service", service);
  for (const std::string& s : scopes) add("scope", s);
  if (request.offline) {
    add("offline_token", "true");
    add("client_id", request.client_id);
  }
  out.url = std::move(url);
  if (creds) out.headers.emplace_back("Authorization", BasicAuthorization(*creds));
  return out;
}

Result<BearerToken> FetchBearerToken(RegistryTransport& transport, const AuthChallenge& challenge,
                                     const TokenRequest& request, Clock::time_point now) {
  HttpRequest http = BUILDER_TRY(BuildTokenRequest(challenge, request));
  HttpResponse answer = BUILDER_TRY(transport.Send(http, nullptr, 1 << 20));
  if (answer.status == 200) return ParseBearerToken(answer.body, now);
  bool creds = request.credentials.has_value();
  if (creds && (answer.status == 401 || answer.status == 403))
    return Fail(ErrorCode::kPermission, "unauthorized: incorrect username or password");
  // The endpoint's reason: distribution's {"errors":[..]} or OAuth2's {"error_description"}.
  std::string reason;
  json doc = json::parse(answer.body, nullptr, false);
  if (doc.is_object()) {
    if (auto e = doc.find("errors"); e != doc.end() && e->is_array() && !e->empty() && (*e)[0].is_object())
      if (auto m = (*e)[0].find("message"); m != (*e)[0].end() && m->is_string()) reason = *m;
    if (auto d = doc.find("error_description"); reason.empty() && d != doc.end() && d->is_string()) reason = *d;
  }
  return Fail(ErrorCode::kPermission, "token request to " + UrlAuthority(http.url) + ": HTTP " +
                                          std::to_string(answer.status) +
                                          (reason.empty() ? "" : ": " + QuoteForMessage(reason)));
}

}  // namespace builder::registry
