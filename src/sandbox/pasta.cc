// Pasta: starting passt's pasta for a sandbox's network namespace and waiting until it is ready.
#include "sandbox/pasta.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <sstream>

#include "base/path.h"
#include "base/unique_fd.h"

namespace builder::sandbox {
namespace {

constexpr int kReadyTimeoutMs = 10000;

std::int64_t NowMs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// pasta's own words from its log, for an error message (last lines, trimmed).
std::string LogTail(const std::string& path) {
  std::string text = ReadFile(path).value_or("");
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  for (char& c : text) {
    if (c == '\n') c = ';';
  }
  return text;
}

// The program as Spawn would find it, so a missing pasta is reported before anything starts.
bool InPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    if (::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> PastaArgv(pid_t target_pid, const std::vector<PastaPort>& ports,
                                   const std::string& pid_file, bool as_root) {
  std::vector<std::string> argv = {"pasta", "--config-net", "--foreground", "--quiet",
                                   "--pid", pid_file};
  // As root (of a user namespace, rootless) pasta would switch to nobody, who may not enter the
  // sandbox's namespaces: stay root of our namespace, which is the unprivileged user outside.
  if (as_root) argv.insert(argv.end(), {"--runas", "0:0"});
  std::vector<std::string> tcp, udp;
  for (const PastaPort& p : ports) {
    std::string spec = (p.host_ip.empty() ? "" : p.host_ip + "/") + std::to_string(p.host_port) +
                       ":" + std::to_string(p.container_port);
    (p.udp ? udp : tcp).push_back(spec);
  }
  if (tcp.empty()) tcp.push_back("none");
  if (udp.empty()) udp.push_back("none");
  for (const std::string& t : tcp) argv.insert(argv.end(), {"--tcp-ports", t});
  for (const std::string& u : udp) argv.insert(argv.end(), {"--udp-ports", u});
  // Nothing from the namespace to the host's loopback: neither pasta's automatic forwarding of
  // the host's listening ports nor the gateway address mapped to the host's 127.0.0.1.
  argv.insert(argv.end(), {"--tcp-ns", "none", "--udp-ns", "none", "--no-map-gw"});
  argv.insert(argv.end(), {"--dns-forward", kPastaDnsForward});
  argv.push_back(std::to_string(target_pid));
  return argv;
}

Result<void> PastaUsable() {
  if (!InPath("pasta")) {
    return Fail(ErrorCode::kNotFound,
                "rootless networking needs pasta (Debian package passt), which is not in PATH");
  }
  // pasta opens the tun device from the host's /dev; Debian makes it 0666, some hosts 0600.
  if (::access("/dev/net/tun", R_OK | W_OK) != 0) {
    return FailErrno("rootless networking needs /dev/net/tun (pasta's tap device) readable and writable by this user", errno);
  }
  return {};
}

Result<Pasta> Pasta::Start(pid_t target_pid, const std::vector<PastaPort>& ports,
                           const std::string& work_dir) {
  if (auto usable = PastaUsable(); !usable) {
    return Fail(usable.error().code(), usable.error().ToString() + "; or use --network none or host");
  }
  const std::string pid_file = work_dir + "/pasta.pid";
  const std::string log_file = work_dir + "/pasta.log";
  ::unlink(pid_file.c_str());
  UniqueFd log(::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!log) return FailErrno("create " + log_file, errno);

  SpawnOptions options;
  options.argv = PastaArgv(target_pid, ports, pid_file, ::geteuid() == 0);
  options.output_fd = log.get();
  options.parent_death_signal = SIGKILL;
  Pasta pasta;
  pasta.child_ = BUILDER_TRY(Spawn(options));

  // pasta writes its pid file once the namespace is configured and the ports listen.
  const std::int64_t deadline = NowMs() + kReadyTimeoutMs;
  for (;;) {
    struct stat st{};
    if (::stat(pid_file.c_str(), &st) == 0 && st.st_size > 0) return pasta;
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pasta.child_.pid()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pasta.child_.pid()) {
      ExitStatus es = BUILDER_TRY(pasta.child_.Wait());
      return Fail(ErrorCode::kInternal, "pasta failed (" + es.ToString() + "): " + LogTail(log_file));
    }
    if (NowMs() > deadline) {
      return Fail(ErrorCode::kInternal, "pasta did not configure the network namespace within 10s: " +
                                            LogTail(log_file));
    }
    ::usleep(2000);
  }
}

NetworkAttacher PastaAttacher() {
  struct Attachment : NetworkAttachment {
    Pasta pasta;
  };
  return [](pid_t child, const std::string& work_dir) -> Result<std::unique_ptr<NetworkAttachment>> {
    auto attachment = std::make_unique<Attachment>();
    attachment->pasta = BUILDER_TRY(Pasta::Start(child, {}, work_dir));
    return attachment;
  };
}

bool HostNetworkAdmin() {
  // The initial user namespace maps every id to itself.
  std::string map = ReadFile("/proc/self/uid_map").value_or("");
  std::istringstream in(map);
  uint64_t inside = 1, outside = 1, count = 0;
  if (!(in >> inside >> outside >> count) || inside != 0 || outside != 0 || count != 4294967295u) {
    return false;
  }
  std::string status = ReadFile("/proc/self/status").value_or("");
  std::size_t at = status.find("\nCapEff:");
  if (at == std::string::npos) return false;
  uint64_t caps = std::strtoull(status.c_str() + at + 8, nullptr, 16);
  constexpr int kCapNetAdmin = 12;
  return (caps >> kCapNetAdmin) & 1;
}

Result<uint16_t> PickFreePort(const std::string& host_ip, bool udp) {
  UniqueFd fd(::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
  if (!fd) return FailErrno("socket", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  if (host_ip.empty()) {
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
  } else if (::inet_pton(AF_INET, host_ip.c_str(), &addr.sin_addr) != 1) {
    return Fail(ErrorCode::kInvalidArgument, "not an IPv4 address: " + host_ip);
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return FailErrno("bind a free port on " + (host_ip.empty() ? std::string("0.0.0.0") : host_ip), errno);
  }
  socklen_t len = sizeof addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return FailErrno("getsockname", errno);
  }
  return ntohs(addr.sin_port);
}

}  // namespace builder::sandbox
