// Pasta: user-mode networking (passt's pasta) for a sandbox's network namespace, where the caller
// may not make veths or NAT rules in the host's namespace (rootless).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/subprocess.h"
#include "sandbox/network_attacher.h"

namespace builder::sandbox {

/// The address pasta answers DNS on inside the namespace (--dns-forward), relaying each query to
/// the host's first nameserver from the host's side: reachable also when that nameserver is the
/// host's loopback (systemd-resolved's 127.0.0.53). Link-local and podman's choice too.
inline constexpr char kPastaDnsForward[] = "169.254.1.1";

/// One port of the host forwarded into the namespace (`-p [IP:]HOST:CTR[/udp]`).
struct PastaPort {
  std::string host_ip;  ///< "" = every host address
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  bool udp = false;
};

/// The pasta command line for the namespace of `target_pid`: addresses and routes copied from the
/// host (--config-net), only the listed ports forwarded into it, nothing from it to the host's
/// loopback (-T/-U none, --no-map-gw: the sandbox must not reach the host's local services), in
/// the foreground (its pid stays ours) and writing `pid_file` once the namespace is configured.
/// Pure, for tests.
std::vector<std::string> PastaArgv(pid_t target_pid, const std::vector<PastaPort>& ports,
                                   const std::string& pid_file, bool as_root);

/// Whether Pasta::Start can work here: pasta in PATH (kNotFound naming the Debian package) and
/// /dev/net/tun readable and writable by this process (kIo with errno).
[[nodiscard]] Result<void> PastaUsable();

/// A running pasta serving one sandbox. It ends (SIGKILL, reaped) with this object, and with the
/// thread that started it, even by SIGKILL (PR_SET_PDEATHSIG): pasta itself keeps the namespace
/// open and would otherwise outlive the sandbox.
class Pasta {
 public:
  /// Starts pasta for the (empty) network namespace of `target_pid` and returns once its tap
  /// interface has the host's address and default route, and every port listens on the host.
  /// `work_dir` (existing, private) receives pasta's pid file and log. Errors: pasta missing
  /// (kNotFound, naming the Debian package), pasta failing (its log in the message), no ready
  /// signal within 10 s.
  [[nodiscard]] static Result<Pasta> Start(pid_t target_pid, const std::vector<PastaPort>& ports,
                                           const std::string& work_dir);

  Pasta() = default;
  Pasta(Pasta&&) noexcept = default;
  Pasta& operator=(Pasta&&) noexcept = default;
  ~Pasta() = default;  // Child kills and reaps

  pid_t pid() const { return child_.pid(); }

 private:
  Child child_;
};

/// A NetworkAttacher giving each namespace its own pasta, without published ports (a build's
/// RUN, rootless).
NetworkAttacher PastaAttacher();

/// Whether this process may configure the host's network (CAP_NET_ADMIN in the initial user
/// namespace): root outside any user namespace. False for a rootless builder, also when it is
/// root of its own user namespace; those use pasta.
bool HostNetworkAdmin();

/// A free port on `host_ip` ("" = any address) for `-p CTR`: bound to port 0 and closed again.
[[nodiscard]] Result<uint16_t> PickFreePort(const std::string& host_ip, bool udp);

}  // namespace builder::sandbox
