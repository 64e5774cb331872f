// Challenge parsing, token URLs and answers, and the docker auth file lookup.
#include "registry/registry_auth.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "registry/credential_store.h"

namespace builder::registry {
namespace {

using json = nlohmann::json;

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A cursor over a header value; every step is bounded by the input length.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool Done() const { return i >= s.size(); }
  void SkipSpace() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  std::string Token() {
    std::size_t start = i;
    while (i < s.size() && IsTokenChar(s[i])) ++i;
    return std::string(s.substr(start, i - start));
  }
  // An unquoted value; lenient: anything up to a comma or blank (servers leave URLs unquoted).
  std::string Bare() {
    std::size_t start = i;
    while (i < s.size() && s[i] != ',' && s[i] != ' ' && s[i] != '\t') ++i;
    return std::string(s.substr(start, i - start));
  }
  std::string Quoted() {  // at the opening quote
    std::string out;
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out += s[i];
    }
    if (i < s.size()) ++i;
    return out;
  }
};

// Keys of docker's auth file are "host", "https://host", "https://host/v1/".
std::string KeyHost(std::string_view key) {
  if (auto p = key.find("://"); p != key.npos) key.remove_prefix(p + 3);
  if (auto p = key.find('/'); p != key.npos) key = key.substr(0, p);
  return Lower(key);
}

bool KeyMatches(std::string_view key, std::string_view domain) {
  std::string host = KeyHost(key);
  if (host == Lower(domain)) return true;
  bool hub = domain == "docker.io";
  return hub && (host == "index.docker.io" || host == "registry-1.docker.io");
}

}  // namespace

std::vector<AuthChallenge> ParseAuthChallenges(std::string_view header) {
  std::vector<AuthChallenge> out;
  Cursor cur{header};
  while (!cur.Done()) {
    cur.SkipSpace();
    if (!cur.Done() && cur.s[cur.i] == ',') {
      ++cur.i;
      continue;
    }
    std::string word = cur.Token();
    if (word.empty()) {
      ++cur.i;  // an unexpected byte: skip it
      continue;
    }
    cur.SkipSpace();
    if (!cur.Done() && cur.s[cur.i] == '=' && !out.empty()) {
      // name=value of the current challenge
      ++cur.i;
      cur.SkipSpace();
      std::string value = !cur.Done() && cur.s[cur.i] == '"' ? cur.Quoted() : cur.Bare();
      out.back().params[Lower(word)] = std::move(value);
      continue;
    }
    out.push_back(AuthChallenge{Lower(word), {}});
  }
  return out;
}

Result<std::optional<RegistryCredentials>> ParseAuthFile(std::string_view text,
                                                         std::string_view domain) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Fail(ErrorCode::kParse, "auth file is not valid JSON");
  if (!doc.is_object()) return Fail(ErrorCode::kCorrupt, "auth file is not a JSON object");
  auto auths = doc.find("auths");
  if (auths == doc.end()) return std::optional<RegistryCredentials>();
  if (!auths->is_object()) return Fail(ErrorCode::kCorrupt, "auth file: \"auths\" is not an object");
  for (const auto& [key, entry] : auths->items()) {
    if (!KeyMatches(key, domain) || !entry.is_object()) continue;
    RegistryCredentials creds;
    if (auto a = entry.find("auth"); a != entry.end() && a->is_string() && !a->get<std::string>().empty()) {
      auto decoded = Base64Decode(a->get<std::string>());
      auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos)
        return Fail(ErrorCode::kCorrupt, "auth file: the \"auth\" entry for " + key + " is not base64 of user:password");
      creds.username = decoded->substr(0, colon);
      creds.password = decoded->substr(colon + 1);
    } else {
      auto u = entry.find("username");
      auto p = entry.find("password");
      if (u == entry.end() || p == entry.end() || !u->is_string() || !p->is_string()) continue;
      creds.username = u->get<std::string>();
      creds.password = p->get<std::string>();
    }
    return std::optional<RegistryCredentials>(std::move(creds));
  }
  return std::optional<RegistryCredentials>();
}

Result<std::optional<RegistryCredentials>> LoadRegistryCredentials(std::string_view domain) {
  return LoadStoredCredentials(domain);
}

std::string BasicAuthorization(const RegistryCredentials& credentials) {
  return "Basic " + Base64Encode(credentials.username + ":" + credentials.password);
}

Result<std::string> TokenUrl(const AuthChallenge& challenge, std::string_view scope) {
  auto realm = challenge.params.find("realm");
  if (realm == challenge.params.end() || realm->second.empty())
    return Fail(ErrorCode::kInvalidArgument, "bearer challenge without a realm");
  const std::string& base = realm->second;
  if (!base.starts_with("https://") && !base.starts_with("http://"))
    return Fail(ErrorCode::kInvalidArgument, "bearer realm is not an http(s) URL: " + QuoteForMessage(base));
  std::string url = base;
  char sep = base.find('?') == std::string::npos ? '?' : '&';
  if (auto s = challenge.params.find("service"); s != challenge.params.end()) {
    url += sep + std::string("service=") + FormEncode(s->second);
    sep = '&';
  }
  std::string want(scope);
  if (want.empty())
    if (auto s = challenge.params.find("scope"); s != challenge.params.end()) want = s->second;
  if (!want.empty()) url += sep + std::string("scope=") + FormEncode(want);
  return url;
}

Result<std::string> ParseTokenResponse(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Fail(ErrorCode::kCorrupt, "token endpoint answered something other than a JSON object");
  for (const char* key : {"token", "access_token"}) {
    auto it = doc.find(key);
    if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
  }
  return Fail(ErrorCode::kCorrupt, "token endpoint answer has no token");
}

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8 |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string FormEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace builder::registry
