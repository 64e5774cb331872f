// RegistryClient: endpoint choice, the auth retry, manifest and blob GETs with their errors.
#include "registry/registry_client.h"

#include <cctype>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "oci/media_types.h"
#include "registry/certs_dir.h"

namespace builder::registry {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxManifest = 4 << 20;  // the distribution spec's limit

// The host part of "host[:port]" or "[v6]:port", lower-cased.
std::string HostOnly(std::string_view domain) {
  if (domain.starts_with("[")) {
    auto close = domain.find(']');
    return std::string(domain.substr(0, close == domain.npos ? domain.size() : close + 1));
  }
  std::string host(domain.substr(0, domain.find(':')));
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

bool IsListedInsecure(std::string_view domain) {
  const char* list = std::getenv("BUILDER_INSECURE_REGISTRIES");
  if (list == nullptr) return false;
  std::string_view rest(list);
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    // "host" covers every port of host; "host:port" only that one.
    if (!item.empty() && (item == domain || item == HostOnly(domain))) return true;
    if (comma == rest.npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

// The registry's own explanation ({"errors":[{"code":..,"message":..}]}), quoted, or "".
std::string RegistryReason(const HttpResponse& response) {
  json doc = json::parse(response.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  auto errors = doc.find("errors");
  if (errors == doc.end() || !errors->is_array() || errors->empty()) return {};
  const json& first = (*errors)[0];
  if (!first.is_object()) return {};
  std::string out;
  if (auto c = first.find("code"); c != first.end() && c->is_string()) out = c->get<std::string>();
  if (auto m = first.find("message"); m != first.end() && m->is_string())
    out += (out.empty() ? "" : ": ") + m->get<std::string>();
  if (out.empty()) return out;
  std::string quoted = QuoteForMessage(out);  // control bytes escaped; its quotes dropped
  return " (" + quoted.substr(1, quoted.size() - 2) + ")";
}

std::string StripParams(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return std::string(t);
}

}  // namespace

const char* const kManifestAccept =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

bool IsLoopbackRegistry(std::string_view domain) {
  std::string host = HostOnly(domain);
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

RegistryEndpoint RegistryEndpoint::For(std::string_view domain) {
  RegistryEndpoint e;
  e.host = domain == "docker.io" ? "registry-1.docker.io" : std::string(domain);
  // A certs.d directory for the host says it speaks TLS, loopback or not.
  e.plain_http = (IsLoopbackRegistry(domain) || IsListedInsecure(domain)) && !HasCertsDir(domain);
  return e;
}

std::string RegistryEndpoint::ApiUrl() const {
  return (plain_http ? "http://" : "https://") + host + "/v2/";
}

RegistryClient::RegistryClient(RegistryTransport& transport, RegistryEndpoint endpoint,
                               std::string repository, CredentialSource credentials)
    : transport_(transport),
      endpoint_(std::move(endpoint)),
      repository_(std::move(repository)),
      auth_(transport, endpoint_.host, std::move(credentials)) {
  auth_.SetScopes({"repository:" + repository_ + ":pull"});
}

Result<HttpResponse> RegistryClient::Send(HttpRequest request, oci::ByteSink* sink,
                                          std::size_t max_body) {
  // Two rounds: a token the registry refuses right after it was issued (expired, revoked)
  // gets one more try with a fresh one before the 401 is final.
  for (int round = 0;; ++round) {
    HttpRequest attempt = request;
    BUILDER_TRY(auth_.Apply(attempt));
    HttpResponse response = BUILDER_TRY(transport_.Send(attempt, sink, max_body));
    if (response.status != 401) return response;
    if (round == 2) {
      bool had_credentials = auth_.had_credentials();
      return Fail(ErrorCode::kPermission,
                  "pull access denied for " + repository_ + " by " + endpoint_.host + RegistryReason(response) +
                      (had_credentials ? ": the stored credentials were refused"
                                       : ": the repository may not exist or needs credentials"));
    }
    BUILDER_TRY(auth_.OnUnauthorized(response));
  }
}

Result<FetchedManifest> RegistryClient::GetManifest(std::string_view tag_or_digest) {
  std::optional<oci::Digest> wanted;
  if (tag_or_digest.find(':') != std::string_view::npos) wanted = BUILDER_TRY(oci::Digest::Parse(tag_or_digest));
  HttpRequest request;
  request.url = endpoint_.ApiUrl() + repository_ + "/manifests/" + std::string(tag_or_digest);
  request.headers.emplace_back("Accept", kManifestAccept);
  auto sent = Send(request, nullptr, kMaxManifest);
  if (!sent) {
    if (sent.error().code() == ErrorCode::kInvalidArgument)  // over the size cap
      return Fail(ErrorCode::kCorrupt, "manifest " + std::string(tag_or_digest) + " is larger than 4 MiB");
    return Fail(std::move(sent.error()));
  }
  HttpResponse& response = *sent;
  std::string what = repository_ + (wanted ? "@" : ":") + std::string(tag_or_digest);
  if (response.status == 404)
    return Fail(ErrorCode::kNotFound, "manifest " + what + " not found in the registry" + RegistryReason(response));
  if (response.status == 403)
    return Fail(ErrorCode::kPermission, "GET manifest " + what + ": HTTP 403" + RegistryReason(response));
  if (response.status != 200)
    return Fail(ErrorCode::kIo, "GET manifest " + what + ": HTTP " + std::to_string(response.status) +
                                    RegistryReason(response));
  FetchedManifest out;
  out.bytes = std::move(response.body);
  out.digest = oci::Digest::Of(out.bytes);
  if (wanted && *wanted != out.digest)
    return Fail(ErrorCode::kCorrupt, "manifest " + what + ": content digest is " + out.digest.str());
  if (std::string header = response.Header("docker-content-digest"); !header.empty()) {
    auto claimed = oci::Digest::Parse(header);
    if (claimed && claimed->is_sha256() && *claimed != out.digest)
      return Fail(ErrorCode::kCorrupt, "manifest " + what + ": the registry says " + claimed->str() +
                                           " but the content digest is " + out.digest.str());
  }
  json doc = json::parse(out.bytes, nullptr, false);
  if (!doc.is_discarded() && doc.is_object())
    if (auto m = doc.find("mediaType"); m != doc.end() && m->is_string()) out.media_type = m->get<std::string>();
  if (out.media_type.empty()) out.media_type = StripParams(response.Header("content-type"));
  if (!oci::IsManifest(out.media_type) && !oci::IsIndex(out.media_type)) {
    if (out.media_type.starts_with("application/vnd.docker.distribution.manifest.v1"))
      return Fail(ErrorCode::kUnsupported, "manifest " + what + " is Docker schema 1, which builder does not read");
    // An OCI document may leave mediaType out and be served as plain JSON.
    bool index = !doc.is_discarded() && doc.is_object() && doc.contains("manifests");
    out.media_type = std::string(index ? oci::kOciIndex : oci::kOciManifest);
  }
  return out;
}

Result<void> RegistryClient::GetBlob(const oci::Digest& digest, oci::ByteSink& out) {
  HttpRequest request;
  request.url = endpoint_.ApiUrl() + repository_ + "/blobs/" + digest.str();
  HttpResponse response = BUILDER_TRY(Send(request, &out, 0));
  if (response.status == 404)
    return Fail(ErrorCode::kNotFound, "blob " + digest.str() + " not found in the registry" + RegistryReason(response));
  if (response.status < 200 || response.status >= 300)
    return Fail(response.status == 403 ? ErrorCode::kPermission : ErrorCode::kIo,
                "GET blob " + digest.str() + ": HTTP " + std::to_string(response.status) + RegistryReason(response));
  return {};
}

}  // namespace builder::registry
