// Test helper: an in-memory registry behind the RegistryTransport seam, with optional bearer auth.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "oci/descriptor.h"
#include "oci/image_config.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "registry/registry_transport.h"

namespace builder::registry::testing {

/// Serves /v2/<repo>/manifests/<ref> and /v2/<repo>/blobs/<digest> from maps, records every
/// request, and with `token` set demands "Authorization: Bearer <token>" (a 401 with a Bearer
/// challenge otherwise) handed out by http://auth.test/token.
class FakeRegistry final : public RegistryTransport {
 public:
  std::string base = "http://127.0.0.1:5000/v2/";
  std::string token;  ///< empty: anonymous access
  std::map<std::string, std::pair<std::string, std::string>> manifests;  ///< path -> (type, bytes)
  std::map<std::string, std::string> blobs;                               ///< path -> bytes
  /// Replaces the answer for one URL (tests of broken registries).
  std::map<std::string, std::function<HttpResponse()>> overrides;
  std::vector<HttpRequest> requests;

  /// Stores bytes as a blob of repo; returns its descriptor.
  oci::Descriptor AddBlob(const std::string& repo, std::string_view type, const std::string& bytes) {
    oci::Descriptor d = oci::Descriptor::For(type, bytes);
    blobs[repo + "/blobs/" + d.digest.str()] = bytes;
    return d;
  }
  /// Stores a manifest under a tag (or "" for digest only); returns its descriptor.
  oci::Descriptor AddManifest(const std::string& repo, const std::string& tag, std::string_view type,
                         const std::string& bytes) {
    oci::Descriptor d = oci::Descriptor::For(type, bytes);
    manifests[repo + "/manifests/" + d.digest.str()] = {std::string(type), bytes};
    if (!tag.empty()) manifests[repo + "/manifests/" + tag] = {std::string(type), bytes};
    return d;
  }
  /// A one-layer linux image (arch as given) under repo:tag; returns the manifest descriptor.
  oci::Descriptor AddImage(const std::string& repo, const std::string& tag, const std::string& layer,
                      const std::string& arch = "amd64") {
    oci::ImageConfig config;
    config.os = "linux";
    config.architecture = arch;
    oci::Descriptor l = AddBlob(repo, oci::kOciLayerTar, layer);
    config.rootfs.diff_ids.push_back(l.digest);
    oci::Manifest m;
    m.config = AddBlob(repo, oci::kOciConfig, config.Serialize());
    m.layers.push_back(l);
    return AddManifest(repo, tag, oci::kOciManifest, m.Serialize());
  }
  /// How many requests went to URLs containing `part`.
  int Count(std::string_view part) const {
    int n = 0;
    for (const auto& r : requests) n += r.url.find(part) != std::string::npos;
    return n;
  }

  Result<HttpResponse> Send(const HttpRequest& request, oci::ByteSink* sink, std::size_t max_body) override {
    requests.push_back(request);
    HttpResponse response;
    if (auto o = overrides.find(request.url); o != overrides.end()) {
      response = o->second();
    } else if (request.url.starts_with("http://auth.test/token")) {
      response.status = 200;
      response.body = "{\"token\":\"" + token + "\"}";
    } else if (!token.empty() && !HasHeader(request, "Authorization", "Bearer " + token)) {
      response.status = 401;
      response.headers.emplace_back("www-authenticate",
                                    "Bearer realm=\"http://auth.test/token\",service=\"fake\"");
      response.body = R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})";
    } else if (!request.url.starts_with(base)) {
      response.status = 404;
    } else {
      std::string path = request.url.substr(base.size());
      if (auto m = manifests.find(path); m != manifests.end()) {
        response.status = 200;
        response.headers.emplace_back("content-type", m->second.first);
        response.body = m->second.second;
      } else if (auto b = blobs.find(path); b != blobs.end()) {
        response.status = 200;
        response.body = b->second;
      } else {
        response.status = 404;
        response.body = R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})";
      }
    }
    if (response.status >= 200 && response.status < 300) {
      if (sink) {
        auto w = sink->Write({reinterpret_cast<const std::uint8_t*>(response.body.data()), response.body.size()});
        if (!w) return std::unexpected(std::move(w).error());
        response.body.clear();
      } else if (response.body.size() > max_body) {
        return Fail(ErrorCode::kInvalidArgument, "body too large");
      }
    }
    return response;
  }

  static bool HasHeader(const HttpRequest& r, const std::string& name, const std::string& value) {
    for (const auto& [n, v] : r.headers)
      if (n == name && v == value) return true;
    return false;
  }
};

}  // namespace builder::registry::testing
