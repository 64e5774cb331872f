// Authenticator and bearer tokens: request shapes, expiry, refresh on expiry and on 401.
#include "registry/authenticator.h"

#include <doctest/doctest.h>

#include "registry/bearer_token.h"

namespace builder::registry {
namespace {

using namespace std::chrono_literals;

// A registry at http://reg.test/v2/ that wants "Bearer tok-N" for the newest N, and its token
// endpoint http://auth.test/token handing out tok-1, tok-2, ... with expires_in 10.
class TokenRegistry final : public RegistryTransport {
 public:
  int issued = 0;
  bool revoke_all = false;  ///< the registry refuses every token issued so far
  std::vector<HttpRequest> token_requests;

  Result<HttpResponse> Send(const HttpRequest& request, oci::ByteSink*, std::size_t) override {
    HttpResponse r;
    if (request.url.starts_with("http://auth.test/token")) {
      token_requests.push_back(request);
      ++issued;
      r.status = 200;
      r.body = R"({"token":"tok-)" + std::to_string(issued) + R"(","expires_in":10,"refresh_token":"rt-)" +
               std::to_string(issued) + "\"}";
      return r;
    }
    std::string want = "Bearer tok-" + std::to_string(issued);
    for (const auto& [name, value] : request.headers)
      if (name == "Authorization" && value == want && !revoke_all) {
        r.status = 200;
        return r;
      }
    r.status = 401;
    r.headers.emplace_back("www-authenticate",
                           R"(Bearer realm="http://auth.test/token",service="reg.test",scope="repository:x:pull")");
    return r;
  }
};

// One authenticated request as the registry client makes it: Apply, Send, on 401 re-auth once.
Result<long> Get(Authenticator& auth, RegistryTransport& transport) {
  HttpRequest request;
  request.url = "http://reg.test/v2/x/manifests/1";
  for (int round = 0;; ++round) {
    HttpRequest sent = request;
    BUILDER_TRY(auth.Apply(sent));
    HttpResponse r = BUILDER_TRY(transport.Send(sent, nullptr, 1 << 20));
    if (r.status != 401 || round == 1) return r.status;
    BUILDER_TRY(auth.OnUnauthorized(r));
  }
}

TEST_CASE("a token is reused until it expires, then fetched again before the request") {
  TokenRegistry reg;
  Clock::time_point now = Clock::from_time_t(1'700'000'000);
  Authenticator auth(reg, "reg.test", {}, [&] { return now; });
  auth.SetScopes({"repository:x:pull"});
  CHECK(Get(auth, reg) == 200);
  CHECK(reg.issued == 1);
  now += 5s;
  CHECK(Get(auth, reg) == 200);
  CHECK(reg.issued == 1);
  now += 6s;  // past expires_in
  CHECK(Get(auth, reg) == 200);
  CHECK(reg.issued == 2);
}

TEST_CASE("a 401 with a new challenge fetches a new token once") {
  TokenRegistry reg;
  Clock::time_point now = Clock::from_time_t(1'700'000'000);
  Authenticator auth(reg, "reg.test", {}, [&] { return now; });
  CHECK(Get(auth, reg) == 200);
  reg.revoke_all = true;
  CHECK(Get(auth, reg) == 401);  // the new token is refused too: the caller sees the 401
  CHECK(reg.issued == 2);
}

TEST_CASE("token requests: anonymous GET with every scope, Basic with credentials, POST with a refresh token") {
  TokenRegistry reg;
  Authenticator anon(reg, "reg.test", {});
  anon.SetScopes({"repository:x:pull,push", "repository:src:pull"});
  REQUIRE(Get(anon, reg) == 200);
  const HttpRequest& first = reg.token_requests.back();
  CHECK(first.method == "GET");
  CHECK(first.url ==
        "http://auth.test/token?service=reg.test&scope=repository%3Asrc%3Apull&scope=repository%3Ax%3Apull%2Cpush"
        "&scope=repository%3Ax%3Apull");
  CHECK(first.headers.empty());

  Authenticator basic(reg, "reg.test", [] {
    return Result<std::optional<RegistryCredentials>>(RegistryCredentials{"alice", "pw", {}});
  });
  basic.set_offline(true);
  REQUIRE(Get(basic, reg) == 200);
  const HttpRequest& second = reg.token_requests.back();
  CHECK(second.url.find("offline_token=true&client_id=builder") != std::string::npos);
  REQUIRE(second.headers.size() == 1);
  CHECK(second.headers[0].second == BasicAuthorization({"alice", "pw", {}}));
  CHECK(basic.refresh_token() == "rt-" + std::to_string(reg.issued));

  Authenticator oauth(reg, "reg.test", [] {
    return Result<std::optional<RegistryCredentials>>(RegistryCredentials{"", "", "rt-9"});
  });
  oauth.SetScopes({"repository:x:pull"});
  REQUIRE(Get(oauth, reg) == 200);
  const HttpRequest& third = reg.token_requests.back();
  CHECK(third.method == "POST");
  CHECK(third.url == "http://auth.test/token");
  CHECK(third.body ==
        "grant_type=refresh_token&refresh_token=rt-9&service=reg.test&client_id=builder&scope=repository%3Ax%3Apull");
}

TEST_CASE("ParseBearerToken: expires_in and issued_at set the expiry") {
  Clock::time_point now = Clock::from_time_t(1'700'000'000);
  auto t = ParseBearerToken(R"({"access_token":"a","expires_in":300,"issued_at":"2023-11-14T22:13:20Z"})", now);
  REQUIRE(t);
  CHECK(t->token == "a");
  CHECK(t->expires == Clock::from_time_t(1'700'000'000 + 300));
  auto d = ParseBearerToken(R"({"token":"b"})", now);
  REQUIRE(d);
  CHECK(d->expires == now + 60s);
  auto off = ParseBearerToken(R"({"token":"c","expires_in":10,"issued_at":"2023-11-14T23:13:20.5+01:00"})", now);
  REQUIRE(off);
  CHECK(off->expires == Clock::from_time_t(1'700'000'000 + 10));
  auto none = ParseBearerToken(R"({"secret":"x"})", now);
  REQUIRE_FALSE(none);
  CHECK(none.error().message().find("x") == std::string::npos);
}

TEST_CASE("ParseBearerToken: a huge expires_in is cut to a day, an issued_at past the clock's range ignored") {
  Clock::time_point now = Clock::from_time_t(1'700'000'000);
  auto huge = ParseBearerToken(R"({"token":"a","expires_in":1e300})", now);
  REQUIRE(huge);
  CHECK(huge->expires == now + 24h);
  auto far = ParseBearerToken(R"({"token":"a","expires_in":9e18,"issued_at":"9999-12-31T23:59:59Z"})", now);
  REQUIRE(far);
  CHECK(far->expires == now + 24h);
}

TEST_CASE("a token endpoint refusing credentials says so without the password") {
  struct Refusing final : RegistryTransport {
    Result<HttpResponse> Send(const HttpRequest&, oci::ByteSink*, std::size_t) override {
      HttpResponse r;
      r.status = 401;
      return r;
    }
  } t;
  AuthChallenge c{"bearer", {{"realm", "http://auth.test/token"}}};
  TokenRequest req;
  req.credentials = RegistryCredentials{"alice", "hunter2", {}};
  auto got = FetchBearerToken(t, c, req, Clock::now());
  REQUIRE_FALSE(got);
  CHECK(got.error().code() == ErrorCode::kPermission);
  CHECK(got.error().message() == "unauthorized: incorrect username or password");
}

}  // namespace
}  // namespace builder::registry
