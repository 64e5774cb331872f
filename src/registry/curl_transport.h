// CurlTransport: RegistryTransport over libcurl's easy interface (loaded with LoadCurl).
#pragma once

#include <memory>

#include "registry/registry_transport.h"

namespace builder::registry {

/// The production transport: http and https only, redirects followed (at most 10; curl drops
/// the Authorization header when a redirect leaves the host), TLS verified with the system CA
/// store plus the host's certs.d CAs, with its certs.d client certificate (certs_dir.h; a
/// certs.d pair missing its other half is kNotFound naming the file), a transfer aborted after 60 s below 1 byte/s. libcurl is loaded by the first Send
/// (whose error is LoadCurl's when it is missing), so builds that pull nothing never load it.
std::unique_ptr<RegistryTransport> MakeCurlTransport();

}  // namespace builder::registry
