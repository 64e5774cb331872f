// certs.d discovery: which CA and client certificate files a registry host has, docker's rules.
#include "registry/certs_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

#include "base/path.h"

namespace builder::registry {

std::vector<std::string> CertsDirRoots() {
  if (const char* d = std::getenv("BUILDER_CERTS_DIR"); d && *d) return {d};
  std::vector<std::string> roots;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    roots.push_back(JoinPath(x, "builder/certs.d"));
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    roots.push_back(JoinPath(h, ".config/builder/certs.d"));
  }
  roots.push_back("/etc/docker/certs.d");
  return roots;
}

Result<TlsFiles> FindTlsFiles(std::string_view host, const std::vector<std::string>& roots) {
  TlsFiles out;
  // A host name with a '/' (or "..") must not walk out of the roots.
  if (host.empty() || host.find('/') != host.npos || host == "." || host == "..") return out;
  for (const std::string& root : roots) {
    std::string dir = JoinPath(root, host);
    auto names = ListDirectory(dir);
    if (!names) {
      int err = names.error().sys_errno();
      if (err == ENOENT || err == ENOTDIR) continue;
      return Fail(std::move(names.error()).Context("read certs.d for " + std::string(host)));
    }
    auto has = [&](const std::string& name) {
      for (const std::string& n : *names) if (n == name) return true;
      return false;
    };
    for (const std::string& name : *names) {
      std::string path = JoinPath(dir, name);
      if (name.ends_with(".crt")) {
        out.ca_files.push_back(path);
      } else if (name.ends_with(".cert")) {
        std::string key = name.substr(0, name.size() - 5) + ".key";
        if (!has(key))
          return Fail(ErrorCode::kNotFound, "missing key " + key + " for client certificate " + path);
        if (out.client_cert.empty()) {
          out.client_cert = path;
          out.client_key = JoinPath(dir, key);
        }
      } else if (name.ends_with(".key")) {
        std::string cert = name.substr(0, name.size() - 4) + ".cert";
        if (!has(cert))
          return Fail(ErrorCode::kNotFound, "missing client certificate " + cert + " for key " + path);
      }
    }
  }
  return out;
}

Result<TlsFiles> FindTlsFiles(std::string_view host) { return FindTlsFiles(host, CertsDirRoots()); }

bool HasCertsDir(std::string_view host) {
  if (host.empty() || host.find('/') != host.npos || host == "." || host == "..") return false;
  for (const std::string& root : CertsDirRoots()) {
    struct stat st;
    if (::stat(JoinPath(root, host).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return true;
  }
  return false;
}

}  // namespace builder::registry
