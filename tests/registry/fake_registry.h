// Test helper: an in-memory registry behind the RegistryTransport seam, with optional bearer auth.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
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
  /// Upload sessions by id: the bytes received so far.
  std::map<std::string, std::string> uploads;
  /// Faults: this many upload requests with a body take half of it and then drop the
  /// connection (kIo); this many requests of any kind answer 503 first.
  int drop_uploads = 0;
  int unavailable = 0;
  /// When set, the Range header of PATCH answers (a hostile or broken registry's offset).
  std::string patch_range;

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
  /// A one-entry tar (`name` holding `content`): pull reads every layer as a tar.
  static std::string LayerTar(const std::string& content, const std::string& name = "data") {
    std::string header(512, '\0');
    header.replace(0, name.size(), name);
    header.replace(100, 7, "0000644");
    header.replace(108, 7, "0000000");
    header.replace(116, 7, "0000000");
    char size[16];
    std::snprintf(size, sizeof size, "%011o", static_cast<unsigned>(content.size()));
    header.replace(124, 11, size);
    header.replace(136, 11, "00000000000");
    header[156] = '0';
    header.replace(257, 6, std::string("ustar\0", 6));
    header.replace(263, 2, "00");
    header.replace(148, 8, "        ");
    unsigned sum = 0;
    for (unsigned char c : header) sum += c;
    char chk[8];
    std::snprintf(chk, sizeof chk, "%06o", sum);
    header.replace(148, 7, std::string(chk, 6) + '\0');
    std::string tar = header + content;
    tar.append((512 - content.size() % 512) % 512, '\0');
    tar.append(1024, '\0');
    return tar;
  }
  oci::Descriptor AddImage(const std::string& repo, const std::string& tag, const std::string& layer,
                      const std::string& arch = "amd64", const std::string& entry = "data") {
    oci::ImageConfig config;
    config.os = "linux";
    config.architecture = arch;
    oci::Descriptor l = AddBlob(repo, oci::kOciLayerTar, LayerTar(layer, entry));
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
    std::lock_guard lock(mu_);  // pushers and pullers run several workers
    requests.push_back(request);
    HttpResponse response;
    if (unavailable > 0) {
      --unavailable;
      response.status = 503;
      return response;
    }
    if (request.url.starts_with(base) && request.method != "GET" && request.method != "HEAD" &&
        (token.empty() || HasHeader(request, "Authorization", "Bearer " + token)))
      return Write(request);
    if (request.url.starts_with(base) && request.url.find("/blobs/uploads/") != std::string::npos)
      return UploadStatus(request);
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
        response.headers.emplace_back("content-length", std::to_string(b->second.size()));
        response.body = request.method == "HEAD" ? "" : b->second;
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

  /// The body a request carries (its source read whole, or half of it for a dropped upload).
  static std::string Body(const HttpRequest& r, bool half) {
    if (r.body_source == nullptr) return half ? r.body.substr(0, r.body.size() / 2) : r.body;
    std::string out;
    std::int64_t want = half ? r.body_size / 2 : r.body_size;
    std::uint8_t buf[4096];
    while (static_cast<std::int64_t>(out.size()) < want) {
      std::size_t n = std::min<std::size_t>(sizeof buf, static_cast<std::size_t>(want) - out.size());
      auto got = r.body_source->Read({buf, n});
      if (!got || *got == 0) break;
      out.append(reinterpret_cast<const char*>(buf), *got);
    }
    return out;
  }

  static std::string Header(const HttpRequest& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return "";
  }

  // "/v2/<repo>/blobs/uploads/<id>?..." -> id
  static std::string UploadId(const std::string& url) {
    std::string rest = url.substr(url.find("/blobs/uploads/") + 15);
    return rest.substr(0, rest.find('?'));
  }

  HttpResponse UploadStatus(const HttpRequest& r) {
    HttpResponse response;
    auto u = uploads.find(UploadId(r.url));
    if (u == uploads.end()) {
      response.status = 404;
      return response;
    }
    response.status = 204;
    response.headers.emplace_back("range", "0-" + std::to_string(std::max<long>(static_cast<long>(u->second.size()) - 1, 0)));
    response.headers.emplace_back("location", r.url.substr(0, r.url.find('?')));
    return response;
  }

  // POST (start or mount), PATCH, PUT (close an upload, or a manifest), DELETE.
  Result<HttpResponse> Write(const HttpRequest& r) {
    HttpResponse response;
    std::string path = r.url.substr(base.size());
    std::string repo = path.substr(0, path.find('/'));
    if (auto b = path.find("/blobs/"); b != std::string::npos) repo = path.substr(0, b);
    if (auto m = path.find("/manifests/"); m != std::string::npos) repo = path.substr(0, m);
    bool dropping = r.body_size > 0 && drop_uploads > 0 && r.url.find("/blobs/uploads/") != std::string::npos &&
                    r.method != "POST";
    std::string body = Body(r, dropping);
    if (r.method == "POST") {
      std::string query = path.find('?') == std::string::npos ? "" : path.substr(path.find('?') + 1);
      if (query.starts_with("mount=")) {
        std::string digest = query.substr(6, query.find('&') - 6);
        std::string from = query.substr(query.find("from=") + 5);
        if (auto b = blobs.find(from + "/blobs/" + digest); b != blobs.end()) {
          blobs[repo + "/blobs/" + digest] = b->second;
          response.status = 201;
          return response;
        }
      }
      std::string id = "u" + std::to_string(uploads.size() + 1);
      uploads[id] = "";
      response.status = 202;
      response.headers.emplace_back("location", "/v2/" + repo + "/blobs/uploads/" + id);
      return response;
    }
    if (r.method == "DELETE") {
      uploads.erase(UploadId(r.url));
      response.status = 204;
      return response;
    }
    if (auto m = path.find("/manifests/"); m != std::string::npos && r.method == "PUT") {
      oci::Descriptor d = AddManifest(repo, "", Header(r, "Content-Type"), body);
      std::string ref = path.substr(m + 11);
      manifests[repo + "/manifests/" + ref] = {Header(r, "Content-Type"), body};
      response.status = 201;
      response.headers.emplace_back("docker-content-digest", d.digest.str());
      return response;
    }
    auto u = uploads.find(UploadId(r.url));
    if (u == uploads.end()) {
      response.status = 404;
      return response;
    }
    if (std::string range = Header(r, "Content-Range"); !range.empty() &&
        std::stoll(range.substr(0, range.find('-'))) != static_cast<long long>(u->second.size())) {
      response.status = 416;
      return response;
    }
    u->second += body;
    if (dropping) {
      --drop_uploads;
      return Fail(ErrorCode::kIo, "PATCH 127.0.0.1:5000: Connection reset by peer");
    }
    if (r.method == "PATCH") {
      response.status = 202;
      response.headers.emplace_back("range", !patch_range.empty() ? patch_range
                                    : "0-" + std::to_string(std::max<long>(static_cast<long>(u->second.size()) - 1, 0)));
      response.headers.emplace_back("location", "/v2/" + repo + "/blobs/uploads/" + u->first);
      return response;
    }
    // PUT ?digest=: the registry checks the bytes before it keeps them.
    std::string digest = r.url.substr(r.url.find("digest=") + 7);
    if (oci::Digest::Of(u->second).str() != digest) {
      response.status = 400;
      response.body = R"({"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]})";
      return response;
    }
    blobs[repo + "/blobs/" + digest] = u->second;
    uploads.erase(u);
    response.status = 201;
    response.headers.emplace_back("docker-content-digest", digest);
    return response;
  }

  std::mutex mu_;

  static bool HasHeader(const HttpRequest& r, const std::string& name, const std::string& value) {
    for (const auto& [n, v] : r.headers)
      if (n == name && v == value) return true;
    return false;
  }
};

}  // namespace builder::registry::testing
