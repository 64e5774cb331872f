// Sampling a container's usage; docker's CPU and memory percentages.
#include "runner/container_stats.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "base/path.h"
#include "runner/container_cgroup.h"

namespace builder::runner {
namespace {

// Whether pid's network namespace is this process's (--network host).
bool SharesOurNetns(pid_t pid) {
  char ours[64] = {}, theirs[64] = {};
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  if (::readlink("/proc/self/ns/net", ours, sizeof ours - 1) < 0) return false;
  if (::readlink(path.c_str(), theirs, sizeof theirs - 1) < 0) return false;
  return std::string(ours) == theirs;
}

}  // namespace

NetIo ParseNetDev(std::string_view text) {
  NetIo io;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;  // the two header lines
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name == "lo") continue;
    std::istringstream fields(line.substr(colon + 1));
    std::uint64_t v[9] = {};
    for (std::uint64_t& f : v) fields >> f;
    // rx: bytes packets errs drop fifo frame compressed multicast; then tx bytes.
    io.rx += v[0];
    io.tx += v[8];
  }
  return io;
}

std::uint64_t ParseSystemCpuNs(std::string_view proc_stat, long clock_ticks) {
  std::istringstream lines{std::string(proc_stat)};
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("cpu ")) continue;
    std::istringstream fields(line.substr(4));
    std::uint64_t total = 0, v = 0;
    for (int i = 0; i < 7 && fields >> v; ++i) total += v;
    return clock_ticks > 0 ? total * (1000000000 / static_cast<std::uint64_t>(clock_ticks)) : 0;
  }
  return 0;
}

std::uint64_t ParseMemTotal(std::string_view meminfo) {
  std::istringstream lines{std::string(meminfo)};
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("MemTotal:")) return std::strtoull(line.c_str() + 9, nullptr, 10) * 1024;
  }
  return 0;
}

double CpuPercent(const ContainerSample& before, const ContainerSample& after) {
  const double cpu = static_cast<double>(after.cgroup.cpu_ns) - static_cast<double>(before.cgroup.cpu_ns);
  const double system = static_cast<double>(after.system_ns) - static_cast<double>(before.system_ns);
  if (cpu <= 0 || system <= 0) return 0;
  return cpu / system * after.online_cpus * 100.0;
}

double MemoryPercent(const sandbox::CgroupStats& stats) {
  if (stats.memory_limit == 0) return 0;
  return static_cast<double>(stats.memory_usage) / static_cast<double>(stats.memory_limit) * 100.0;
}

Result<ContainerSample> SampleContainer(const ContainerView& view) {
  sandbox::Cgroup cg = BUILDER_TRY(ContainerCgroup(view));
  ContainerSample sample;
  sample.cgroup = BUILDER_TRY(sandbox::ReadCgroupStats(cg));
  if (auto meminfo = ReadFile("/proc/meminfo")) {
    // docker shows the host's memory as the limit of an unlimited container.
    const std::uint64_t total = ParseMemTotal(*meminfo);
    if (sample.cgroup.memory_limit == 0 || sample.cgroup.memory_limit > total) {
      sample.cgroup.memory_limit = total;
    }
  }
  if (!SharesOurNetns(view.state.pid)) {
    if (auto dev = ReadFile("/proc/" + std::to_string(view.state.pid) + "/net/dev")) {
      sample.net = ParseNetDev(*dev);
    }
  }
  if (auto stat = ReadFile("/proc/stat")) sample.system_ns = ParseSystemCpuNs(*stat, ::sysconf(_SC_CLK_TCK));
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  sample.online_cpus = cpus > 0 ? static_cast<unsigned>(cpus) : 1;
  return sample;
}

}  // namespace builder::runner
