// RegistryClient: the distribution-spec pull calls (manifests, blobs) against one repository.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "oci/byte_stream.h"
#include "oci/descriptor.h"
#include "oci/digest.h"
#include "registry/authenticator.h"
#include "registry/registry_auth.h"
#include "registry/registry_transport.h"

namespace builder::registry {

/// Where a registry's API lives: Docker Hub's "docker.io" is served by registry-1.docker.io;
/// loopback registries (localhost, 127.0.0.0/8, [::1]) and the hosts listed in
/// $BUILDER_INSECURE_REGISTRIES (comma-separated, "host[:port]") speak plain http, as
/// docker's insecure-registries do, unless a certs.d directory exists for them (certs_dir.h);
/// every other registry https.
struct RegistryEndpoint {
  std::string host;  ///< "registry-1.docker.io", "127.0.0.1:5000"
  bool plain_http = false;

  static RegistryEndpoint For(std::string_view domain);
  /// "https://host/v2/".
  std::string ApiUrl() const;
};

/// True for "localhost", 127.0.0.0/8 and "[::1]", with or without a port.
bool IsLoopbackRegistry(std::string_view domain);

/// A manifest or index as the registry served it, verified against its digest.
struct FetchedManifest {
  std::string media_type;  ///< from the document's mediaType, else Content-Type
  std::string bytes;       ///< exactly as served: the digest covers these bytes
  oci::Digest digest;
};

/// The Accept header of manifest requests: OCI index and manifest, Docker list and schema 2.
extern const char* const kManifestAccept;

/// Pull access to one repository. Authenticates on demand: a 401's `Bearer` challenge gets an
/// anonymous (or, with stored credentials, Basic-authenticated) token for
/// "repository:<repo>:pull" that later requests reuse; a `Basic` challenge uses the stored
/// credentials. Credentials and tokens never appear in errors. Not thread-safe.
class RegistryClient {
 public:
  /// `transport` must outlive the client. `credentials` may be empty (anonymous only).
  RegistryClient(RegistryTransport& transport, RegistryEndpoint endpoint, std::string repository,
                 CredentialSource credentials = {});

  /// GET /v2/<repo>/manifests/<tag or digest>, at most 4 MiB. The digest is the sha256 of the
  /// bytes; kCorrupt when it differs from the requested digest or the Docker-Content-Digest
  /// header. kNotFound ("manifest <ref> not found in the registry") for 404, kPermission for
  /// refused authentication, kIo for other statuses and transport failures, kUnsupported for
  /// Docker schema 1.
  [[nodiscard]] Result<FetchedManifest> GetManifest(std::string_view tag_or_digest);
  /// GET /v2/<repo>/blobs/<digest>, streamed into out (not closed). The caller verifies the
  /// bytes. Errors as GetManifest's (404: "blob <digest> not found in the registry").
  [[nodiscard]] Result<void> GetBlob(const oci::Digest& digest, oci::ByteSink& out);

  const RegistryEndpoint& endpoint() const { return endpoint_; }
  /// The token scopes to ask for (default "repository:<repo>:pull"); push adds ",push" and
  /// the repositories it mounts from.
  void SetScopes(std::vector<std::string> scopes) { auth_.SetScopes(std::move(scopes)); }

 private:
  [[nodiscard]] Result<HttpResponse> Send(HttpRequest request, oci::ByteSink* sink, std::size_t max_body);

  RegistryTransport& transport_;
  RegistryEndpoint endpoint_;
  std::string repository_;
  Authenticator auth_;
};

}  // namespace builder::registry
