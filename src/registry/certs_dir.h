// Per-registry TLS trust as docker's certs.d: extra CAs and client certificate pairs by host.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::registry {

/// What certs.d holds for one registry host.
struct TlsFiles {
  std::vector<std::string> ca_files;  ///< "*.crt": trusted in addition to the system CAs
  std::string client_cert;            ///< "*.cert" (PEM), with client_key its "*.key"
  std::string client_key;
  bool empty() const { return ca_files.empty() && client_cert.empty(); }
};

/// The certs.d roots, most specific first: $BUILDER_CERTS_DIR alone when set (tests), else
/// $XDG_CONFIG_HOME/builder/certs.d (default ~/.config/builder/certs.d) and
/// /etc/docker/certs.d.
std::vector<std::string> CertsDirRoots();

/// The TLS files for `host` ("registry.example:5000", as the reference names it) under
/// `roots`: every root's `host/` directory is read (a missing one is skipped), docker's rules
/// applied: `*.crt` are CAs, each `X.cert` needs `X.key` and each `X.key` needs `X.cert`
/// (kNotFound naming the file otherwise); the first pair found wins.
[[nodiscard]] Result<TlsFiles> FindTlsFiles(std::string_view host, const std::vector<std::string>& roots);
/// FindTlsFiles under CertsDirRoots().
[[nodiscard]] Result<TlsFiles> FindTlsFiles(std::string_view host);

/// True when a certs.d directory exists for `host`: builder then speaks TLS to it even when
/// it is a loopback or listed insecure registry.
bool HasCertsDir(std::string_view host);

}  // namespace builder::registry
