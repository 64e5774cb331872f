// ContainerSample: one reading of a running container's usage (its cgroup and its network
// namespace) and docker's arithmetic over two readings, for `builder stats`.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "runner/container_store.h"
#include "sandbox/cgroup_stats.h"

namespace builder::runner {

struct NetIo {
  std::uint64_t rx = 0, tx = 0;
};

struct ContainerSample {
  sandbox::CgroupStats cgroup;  ///< memory_limit: the host's memory when unlimited
  NetIo net;                    ///< summed over the netns's interfaces but lo
  std::uint64_t system_ns = 0;  ///< the host's CPU time (/proc/stat), docker's SystemUsage
  unsigned online_cpus = 1;
};

/// Reads the container's own cgroup and /proc/<init>/net/dev (zero for --network host, whose
/// traffic is the host's). Errors as ContainerCgroup: not running, no cgroup of its own.
[[nodiscard]] Result<ContainerSample> SampleContainer(const ContainerView& view);

/// /proc/net/dev: rx and tx bytes of every interface but lo.
NetIo ParseNetDev(std::string_view text);
/// /proc/stat's first "cpu" line: user+nice+system+idle+iowait+irq+softirq in nanoseconds
/// (docker's getSystemCPUUsage); 0 when missing.
std::uint64_t ParseSystemCpuNs(std::string_view proc_stat, long clock_ticks);
/// /proc/meminfo's MemTotal in bytes; 0 when missing.
std::uint64_t ParseMemTotal(std::string_view meminfo);

/// docker's CPU %: container CPU delta over system CPU delta, times online CPUs, times 100;
/// 0 when either delta is not positive.
double CpuPercent(const ContainerSample& before, const ContainerSample& after);
/// usage / limit * 100; 0 without a limit.
double MemoryPercent(const sandbox::CgroupStats& stats);

}  // namespace builder::runner
