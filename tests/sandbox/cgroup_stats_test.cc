// Parsers of the cgroup stat files stats reads (memory as docker computes it, block I/O).
#include "sandbox/cgroup_stats.h"

#include <doctest/doctest.h>

namespace builder::sandbox {
namespace {

TEST_CASE("memory usage without cache: v1 total_inactive_file, v2 inactive_file") {
  CHECK(MemoryUsageWithoutCache(10000, "cache 5000\ninactive_file 100\ntotal_inactive_file 3000\n") == 7000);
  CHECK(MemoryUsageWithoutCache(10000, "anon 2000\ninactive_file 4000\n") == 6000);
  CHECK(MemoryUsageWithoutCache(10000, "anon 2000\n") == 10000);
  CHECK(MemoryUsageWithoutCache(1000, "inactive_file 4000\n") == 1000);  // never below zero
}

TEST_CASE("a memory limit of max or v1's huge number is no limit") {
  CHECK(ParseMemoryLimit("max\n") == 0);
  CHECK(ParseMemoryLimit("9223372036854771712\n") == 0);
  CHECK(ParseMemoryLimit("33554432\n") == 33554432);
}

TEST_CASE("block I/O bytes summed over devices, v1 and v2") {
  BlockIo v1 = ParseBlkioServiceBytes(
      "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 1\n8:0 Total 12288\n8:16 Read 100\nTotal 12388\n");
  CHECK(v1.read == 4196);
  CHECK(v1.write == 8192);
  BlockIo v2 = ParseIoStat("8:0 rbytes=4096 wbytes=512 rios=1 wios=1 dbytes=0 dios=0\n8:16 rbytes=4 wbytes=0\n");
  CHECK(v2.read == 4100);
  CHECK(v2.write == 512);
}

}  // namespace
}  // namespace builder::sandbox
