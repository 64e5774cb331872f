// CredentialHelper: spawning docker-credential-NAME and speaking its JSON protocol.
#include "registry/credential_helper.h"

#include <nlohmann/json.hpp>

#include "base/subprocess.h"

namespace builder::registry {
namespace {

using json = nlohmann::json;

constexpr std::string_view kNotFound = "credentials not found in native keychain";

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  return std::string(s);
}

}  // namespace

Result<std::string> CredentialHelper::Run(std::string_view action, std::string_view input) const {
  SpawnOptions options;
  options.argv = {program(), std::string(action)};
  options.pipe_stdin = options.pipe_stdout = options.pipe_stderr = true;
  auto ran = RunProcess(std::move(options), input);
  if (!ran) return Fail(std::move(ran.error()).Context("credential helper " + program() + " " + std::string(action)));
  if (!ran->status.ok()) {
    // The helper's stdout carries its message by protocol; stderr is the fallback. Neither
    // can hold the secret we sent (helpers print only their own error text).
    std::string why = Trim(ran->out);
    if (why.empty()) why = Trim(ran->err);
    if (why.empty()) why = ran->status.ToString();
    return Fail(ErrorCode::kIo, program() + " " + std::string(action) + ": " + QuoteForMessage(why));
  }
  return std::move(ran->out);
}

Result<std::optional<RegistryCredentials>> CredentialHelper::Get(std::string_view server) const {
  auto out = Run("get", server);
  if (!out) {
    if (out.error().message().find(kNotFound) != std::string::npos) return std::optional<RegistryCredentials>();
    return Fail(std::move(out.error()));
  }
  json doc = json::parse(*out, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Fail(ErrorCode::kCorrupt, program() + " get: the answer is not a JSON object");
  RegistryCredentials creds;
  if (auto u = doc.find("Username"); u != doc.end() && u->is_string()) creds.username = *u;
  std::string secret;
  if (auto s = doc.find("Secret"); s != doc.end() && s->is_string()) secret = *s;
  if (creds.username.empty() && secret.empty()) return std::optional<RegistryCredentials>();
  if (creds.username == "<token>") {
    creds.username.clear();
    creds.identity_token = std::move(secret);
  } else {
    creds.password = std::move(secret);
  }
  return std::optional<RegistryCredentials>(std::move(creds));
}

Result<void> CredentialHelper::Store(std::string_view server, const RegistryCredentials& credentials) const {
  json doc = {{"ServerURL", std::string(server)}};
  if (!credentials.identity_token.empty()) {
    doc["Username"] = "<token>";
    doc["Secret"] = credentials.identity_token;
  } else {
    doc["Username"] = credentials.username;
    doc["Secret"] = credentials.password;
  }
  BUILDER_TRY(Run("store", doc.dump()));
  return {};
}

Result<void> CredentialHelper::Erase(std::string_view server) const {
  auto out = Run("erase", server);
  if (!out && out.error().message().find(kNotFound) == std::string::npos) return Fail(std::move(out.error()));
  return {};
}

Result<std::map<std::string, std::string>> CredentialHelper::List() const {
  std::string out = BUILDER_TRY(Run("list", ""));
  json doc = json::parse(out, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Fail(ErrorCode::kCorrupt, program() + " list: the answer is not a JSON object");
  std::map<std::string, std::string> servers;
  for (const auto& [server, user] : doc.items())
    if (user.is_string()) servers[server] = user.get<std::string>();
  return servers;
}

}  // namespace builder::registry
