// CgroupStats: what `builder stats` reads from a container's cgroup (memory, cpu, pids, block
// I/O), v1 and v2, and the parsers of the kernel's stat files.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "sandbox/cgroup.h"

namespace builder::sandbox {

struct CgroupStats {
  std::uint64_t memory_usage = 0;  ///< as docker shows it: usage minus inactive file pages
  std::uint64_t memory_limit = 0;  ///< 0 when unlimited (or no memory controller)
  std::uint64_t cpu_ns = 0;        ///< total CPU time of the cgroup's tasks
  std::uint64_t pids = 0;          ///< tasks (pids.current, else the processes listed)
  std::uint64_t block_read = 0;    ///< bytes, summed over devices
  std::uint64_t block_write = 0;
};

/// Reads every figure the cgroup has; a missing controller leaves its figures 0. Fails only
/// when the cgroup is gone (kNotFound / kIo).
[[nodiscard]] Result<CgroupStats> ReadCgroupStats(const Cgroup& cg);

/// docker's memory figure: `usage` minus memory.stat's total_inactive_file (v1) or
/// inactive_file (v2) when smaller than usage, else usage.
std::uint64_t MemoryUsageWithoutCache(std::uint64_t usage, std::string_view memory_stat);

/// A limit file's value: 0 for "max" (v2) or v1's "unlimited" (a page-rounded huge number).
std::uint64_t ParseMemoryLimit(std::string_view text);

struct BlockIo {
  std::uint64_t read = 0, write = 0;
};
/// v1 blkio.throttle.io_service_bytes ("8:0 Read 4096" lines; Total lines ignored).
BlockIo ParseBlkioServiceBytes(std::string_view text);
/// v2 io.stat ("8:0 rbytes=4096 wbytes=0 rios=1 ..." lines).
BlockIo ParseIoStat(std::string_view text);

}  // namespace builder::sandbox
