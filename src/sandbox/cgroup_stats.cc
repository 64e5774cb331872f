// Reading a cgroup's usage figures, v1 and v2.
#include "sandbox/cgroup_stats.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "base/path.h"

namespace builder::sandbox {
namespace {

// v1 reports "no limit" as the largest page-aligned long: anything past 2^62 is that.
constexpr std::uint64_t kUnlimited = std::uint64_t{1} << 62;

std::uint64_t Number(std::string_view text) {
  return std::strtoull(std::string(text).c_str(), nullptr, 10);
}

// The value after `key ` in a "key value" per line text; -1 when absent.
std::int64_t Keyed(std::string_view text, std::string_view key) {
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ') {
      return std::strtoll(line.c_str() + key.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

std::uint64_t MemoryUsageWithoutCache(std::uint64_t usage, std::string_view memory_stat) {
  std::int64_t inactive = Keyed(memory_stat, "total_inactive_file");
  if (inactive < 0) inactive = Keyed(memory_stat, "inactive_file");
  if (inactive >= 0 && static_cast<std::uint64_t>(inactive) < usage) {
    return usage - static_cast<std::uint64_t>(inactive);
  }
  return usage;
}

std::uint64_t ParseMemoryLimit(std::string_view text) {
  if (text.starts_with("max")) return 0;
  std::uint64_t n = Number(text);
  return n >= kUnlimited ? 0 : n;
}

BlockIo ParseBlkioServiceBytes(std::string_view text) {
  BlockIo io;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string device, op;
    std::uint64_t bytes = 0;
    if (!(words >> device >> op >> bytes)) continue;
    if (op == "Read") io.read += bytes;
    if (op == "Write") io.write += bytes;
  }
  return io;
}

BlockIo ParseIoStat(std::string_view text) {
  BlockIo io;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string word;
    words >> word;  // MAJ:MIN
    while (words >> word) {
      if (word.starts_with("rbytes=")) io.read += Number(std::string_view(word).substr(7));
      if (word.starts_with("wbytes=")) io.write += Number(std::string_view(word).substr(7));
    }
  }
  return io;
}

Result<CgroupStats> ReadCgroupStats(const Cgroup& cg) {
  if (cg.dirs().empty()) return Fail(ErrorCode::kInternal, "cgroup: not opened");
  if (!Exists(cg.dirs().front())) return Fail(ErrorCode::kNotFound, "no cgroup " + cg.dirs().front());
  CgroupStats out;
  if (const std::string& mem = cg.memory_dir(); !mem.empty()) {
    const bool v2 = mem == cg.v2_dir();
    auto usage = ReadFile(mem + (v2 ? "/memory.current" : "/memory.usage_in_bytes"));
    auto stat = ReadFile(mem + "/memory.stat");
    if (usage) out.memory_usage = MemoryUsageWithoutCache(Number(*usage), stat ? *stat : "");
    if (auto limit = ReadFile(mem + (v2 ? "/memory.max" : "/memory.limit_in_bytes"))) {
      out.memory_limit = ParseMemoryLimit(*limit);
    }
  }
  if (auto cpu = cg.CpuUsageNs()) out.cpu_ns = *cpu;
  if (const std::string& pids = cg.pids_dir(); !pids.empty()) {
    if (auto current = ReadFile(pids + "/pids.current")) out.pids = Number(*current);
  } else if (auto listed = cg.Pids()) {
    out.pids = listed->size();
  }
  if (const std::string& blk = cg.blkio_dir(); !blk.empty()) {
    BlockIo io;
    if (blk == cg.v2_dir()) {
      if (auto text = ReadFile(blk + "/io.stat")) io = ParseIoStat(*text);
    } else if (auto text = ReadFile(blk + "/blkio.throttle.io_service_bytes")) {
      io = ParseBlkioServiceBytes(*text);
    }
    out.block_read = io.read;
    out.block_write = io.write;
  }
  return out;
}

}  // namespace builder::sandbox
