// --insecure-registry for push, pull and build: the named hosts join $BUILDER_INSECURE_REGISTRIES,
// the one list RegistryEndpoint::For reads.
#include <cstdlib>
#include <string>
#include <vector>

#include "commands.h"

namespace builder::cli {

void AddInsecureRegistryOption(CLI::App* cmd, std::vector<std::string>* hosts) {
  cmd->add_option("--insecure-registry", *hosts,
                  "Talk plain http to this registry (host or host:port); loopback registries always are");
}

void ApplyInsecureRegistries(const std::vector<std::string>& hosts) {
  if (hosts.empty()) return;
  const char* old = std::getenv("BUILDER_INSECURE_REGISTRIES");
  std::string list = old ? old : "";
  for (const std::string& h : hosts) list += (list.empty() ? "" : ",") + h;
  ::setenv("BUILDER_INSECURE_REGISTRIES", list.c_str(), 1);
}

}  // namespace builder::cli
