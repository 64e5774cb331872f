// Content of a container's hosts and resolv.conf files.
#include "runner/network/hosts_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <sstream>

#include "base/staged_file.h"
#include "base/unique_fd.h"

namespace builder::runner::network {

std::string HostsContent(const Lease& self, const std::vector<Lease>& members) {
  std::string out =
      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n";
  for (const std::string& h : self.extra_hosts) {
    const size_t colon = h.find(':');
    if (colon == std::string::npos) continue;
    out += h.substr(colon + 1) + "\t" + h.substr(0, colon) + "\n";
  }
  auto names = [](const Lease& l, const std::string& first) {
    std::string line = l.address + "\t" + first;
    if (!l.name.empty() && l.name != first) line += " " + l.name;
    for (const std::string& a : l.aliases) line += " " + a;
    return line + "\n";
  };
  out += names(self, self.hostname.empty() ? self.name : self.hostname);
  for (const Lease& m : members) {
    if (m.container_id == self.container_id || m.address.empty()) continue;
    if (m.name.empty() && m.aliases.empty()) continue;
    out += names(m, m.name.empty() ? m.aliases.front() : m.name);
  }
  return out;
}

std::string ResolvConfContent(const std::vector<std::string>& dns, const std::string& host_resolv,
                              const std::string& loopback_relay) {
  std::string out;
  std::string servers;
  if (!dns.empty()) {
    for (const std::string& d : dns) servers += "nameserver " + d + "\n";
  }
  std::istringstream in(host_resolv);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string key, value;
    words >> key >> value;
    if (key == "nameserver") {
      const bool loopback = value.starts_with("127.") || value == "::1";
      if (!dns.empty()) continue;
      if (!loopback) {
        servers += line + "\n";
      } else if (!loopback_relay.empty()) {
        const std::string relay = "nameserver " + loopback_relay + "\n";
        if (servers.find(relay) == std::string::npos) servers += relay;
      }
    } else if (key == "search" || key == "options" || key == "domain") {
      out += line + "\n";
    }
  }
  if (servers.empty()) servers = "nameserver 8.8.8.8\nnameserver 8.8.4.4\n";
  return servers + out;
}

Result<void> RewriteInPlace(const std::string& path, const std::string& content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return FailErrno("open " + path, errno);
  if (::ftruncate(fd.get(), 0) != 0) return FailErrno("truncate " + path, errno);
  BUILDER_TRY(WriteAll(fd.get(), content, path));
  return {};
}

}  // namespace builder::runner::network
