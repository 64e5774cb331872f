// DockerConfig: lookups and edits of config.json's auths, credsStore and credHelpers.
#include "registry/docker_config.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "base/path.h"

namespace builder::registry {
namespace {

using json = nlohmann::json;

constexpr std::string_view kHubKey = "https://index.docker.io/v1/";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsHub(std::string_view host) {
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

// "https://host/v1/" -> "host"; Hub's names all become "docker.io".
std::string HostOfKey(std::string_view key) {
  if (auto p = key.find("://"); p != key.npos) key.remove_prefix(p + 3);
  if (auto p = key.find('/'); p != key.npos) key = key.substr(0, p);
  std::string host = Lower(key);
  return IsHub(host) ? "docker.io" : host;
}

json ParseDoc(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  return doc.is_object() ? doc : json::object();
}

}  // namespace

std::string CredentialKey(std::string_view domain) {
  std::string host = HostOfKey(domain);
  return host == "docker.io" ? std::string(kHubKey) : std::string(domain);
}

std::string DefaultDockerConfigPath() {
  if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) return JoinPath(d, "config.json");
  if (const char* h = std::getenv("HOME"); h && *h) return JoinPath(h, ".docker/config.json");
  return {};
}

Result<DockerConfig> DockerConfig::Parse(std::string_view text, std::string path) {
  std::string where = path.empty() ? "docker config" : path;
  json doc = json::object();
  if (text.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return Fail(ErrorCode::kParse, where + ": not valid JSON");
    if (!doc.is_object()) return Fail(ErrorCode::kCorrupt, where + ": not a JSON object");
  }
  for (const char* key : {"auths", "credHelpers"})
    if (auto it = doc.find(key); it != doc.end() && !it->is_object())
      return Fail(ErrorCode::kCorrupt, where + ": \"" + key + "\" is not an object");
  if (auto it = doc.find("credsStore"); it != doc.end() && !it->is_string())
    return Fail(ErrorCode::kCorrupt, where + ": \"credsStore\" is not a string");
  DockerConfig out;
  out.path_ = std::move(path);
  out.text_ = doc.dump();
  return out;
}

Result<DockerConfig> DockerConfig::Load(std::string path) {
  auto text = ReadFile(path);
  if (!text) {
    if (text.error().sys_errno() != ENOENT) return Fail(std::move(text.error()).Context("read " + path));
    text = std::string();
  }
  return Parse(*text, std::move(path));
}

std::optional<std::string> DockerConfig::HelperFor(std::string_view domain) const {
  json doc = ParseDoc(text_);
  std::string host = HostOfKey(domain);
  if (auto helpers = doc.find("credHelpers"); helpers != doc.end() && helpers->is_object())
    for (const auto& [key, name] : helpers->items())
      if (HostOfKey(key) == host && name.is_string() && !name.get<std::string>().empty())
        return name.get<std::string>();
  if (auto store = doc.find("credsStore"); store != doc.end() && store->is_string() &&
                                           !store->get<std::string>().empty())
    return store->get<std::string>();
  return std::nullopt;
}

Result<std::optional<RegistryCredentials>> DockerConfig::AuthFor(std::string_view domain) const {
  json doc = ParseDoc(text_);
  auto auths = doc.find("auths");
  if (auths == doc.end() || !auths->is_object()) return std::optional<RegistryCredentials>();
  std::string host = HostOfKey(domain);
  for (const auto& [key, entry] : auths->items()) {
    if (HostOfKey(key) != host || !entry.is_object()) continue;
    RegistryCredentials creds;
    if (auto a = entry.find("auth"); a != entry.end() && a->is_string() && !a->get<std::string>().empty()) {
      auto decoded = Base64Decode(a->get<std::string>());
      auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos)
        return Fail(ErrorCode::kCorrupt, (path_.empty() ? "docker config" : path_) +
                                             ": the \"auth\" entry for " + key + " is not base64 of user:password");
      creds.username = decoded->substr(0, colon);
      creds.password = decoded->substr(colon + 1);
    } else {
      if (auto u = entry.find("username"); u != entry.end() && u->is_string()) creds.username = *u;
      if (auto p = entry.find("password"); p != entry.end() && p->is_string()) creds.password = *p;
    }
    if (auto t = entry.find("identitytoken"); t != entry.end() && t->is_string()) creds.identity_token = *t;
    if (creds.username.empty() && creds.password.empty() && creds.identity_token.empty()) continue;
    return std::optional<RegistryCredentials>(std::move(creds));
  }
  return std::optional<RegistryCredentials>();
}

bool DockerConfig::EraseAuth(std::string_view domain) {
  json doc = ParseDoc(text_);
  auto auths = doc.find("auths");
  if (auths == doc.end() || !auths->is_object()) return false;
  std::string host = HostOfKey(domain);
  std::vector<std::string> drop;
  for (const auto& [key, entry] : auths->items())
    if (HostOfKey(key) == host) drop.push_back(key);
  for (const std::string& key : drop) auths->erase(key);
  text_ = doc.dump();
  return !drop.empty();
}

void DockerConfig::SetAuth(std::string_view domain, const RegistryCredentials& credentials) {
  EraseAuth(domain);
  json doc = ParseDoc(text_);
  json entry = json::object();
  if (!credentials.identity_token.empty()) {
    entry["auth"] = Base64Encode(credentials.username + ":");
    entry["identitytoken"] = credentials.identity_token;
  } else {
    entry["auth"] = Base64Encode(credentials.username + ":" + credentials.password);
  }
  doc["auths"][CredentialKey(domain)] = std::move(entry);
  text_ = doc.dump();
}

void DockerConfig::SetEmptyAuth(std::string_view domain) {
  EraseAuth(domain);
  json doc = ParseDoc(text_);
  doc["auths"][CredentialKey(domain)] = json::object();
  text_ = doc.dump();
}

std::string DockerConfig::Text() const { return ParseDoc(text_).dump(1, '\t') + "\n"; }

Result<void> DockerConfig::Save() const {
  if (path_.empty())
    return Fail(ErrorCode::kInvalidArgument, "no docker config path: set $DOCKER_CONFIG or $HOME");
  if (auto made = MakeDirs(DirName(path_), 0700); !made)
    return Fail(std::move(made.error()).Context("save " + path_));
  if (auto written = WriteFileAtomic(path_, Text(), 0600); !written)
    return Fail(std::move(written.error()).Context("save " + path_));
  return {};
}

}  // namespace builder::registry
