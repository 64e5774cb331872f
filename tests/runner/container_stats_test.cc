// stats' parsers and docker's arithmetic; top's filtering of ps output.
#include "runner/container_stats.h"

#include <doctest/doctest.h>

#include "runner/container_top.h"

namespace builder::runner {
namespace {

TEST_CASE("net dev sums every interface but lo") {
  const char* dev =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
      "    lo:  123456      10    0    0    0     0          0         0   123456      10    0    0    0     0       0          0\n"
      "  eth0:    1000       5    0    0    0     0          0         0      200       2    0    0    0     0       0          0\n"
      "  eth1:12345678       5    0    0    0     0          0         0       22       2    0    0    0     0       0          0\n";
  NetIo io = ParseNetDev(dev);
  CHECK(io.rx == 1000 + 12345678);
  CHECK(io.tx == 222);
  CHECK(ParseNetDev("").rx == 0);
}

TEST_CASE("system CPU time is the first seven fields of /proc/stat's cpu line, in ns") {
  const char* stat = "cpu  100 2 30 400 5 6 7 8 0 0\ncpu0 50 1 15 200 2 3 3 4 0 0\n";
  CHECK(ParseSystemCpuNs(stat, 100) == (100 + 2 + 30 + 400 + 5 + 6 + 7) * 10000000ULL);
  CHECK(ParseSystemCpuNs("intr 1 2\n", 100) == 0);
}

TEST_CASE("MemTotal in bytes") {
  CHECK(ParseMemTotal("MemTotal:        8000000 kB\nMemFree: 1 kB\n") == 8000000ULL * 1024);
  CHECK(ParseMemTotal("") == 0);
}

TEST_CASE("CPU % as docker: container delta over system delta, times CPUs") {
  ContainerSample a, b;
  a.cgroup.cpu_ns = 1000;
  a.system_ns = 10000;
  b.cgroup.cpu_ns = 1500;
  b.system_ns = 12000;
  b.online_cpus = 2;
  CHECK(CpuPercent(a, b) == doctest::Approx(50.0));
  CHECK(CpuPercent(b, a) == 0);  // no negative deltas
  sandbox::CgroupStats m;
  m.memory_usage = 256;
  m.memory_limit = 1024;
  CHECK(MemoryPercent(m) == doctest::Approx(25.0));
  m.memory_limit = 0;
  CHECK(MemoryPercent(m) == 0);
}

TEST_CASE("top keeps the container's lines of ps output, the last column whole") {
  const char* ps =
      "UID          PID    PPID  C STIME TTY          TIME CMD\n"
      "root           1       0  0 10:00 ?        00:00:01 /sbin/init splash\n"
      "root         400       1  0 10:01 ?        00:00:00 sh -c sleep 1000\n"
      "root         401     400  0 10:01 ?        00:00:00 sleep 1000\n";
  auto t = FilterPsOutput(ps, {400, 401});
  REQUIRE(t);
  CHECK(t->titles == std::vector<std::string>{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"});
  REQUIRE(t->processes.size() == 2);
  CHECK(t->processes[0].back() == "sh -c sleep 1000");
  CHECK(t->processes[1][1] == "401");
  CHECK(FilterPsOutput(ps, {})->processes.empty());
}

TEST_CASE("top keeps the thread lines after a kept process (ps m) and rejects output without PID") {
  const char* ps =
      "  PID TTY      STAT   TIME COMMAND\n"
      "  400 ?        -      0:00 sh\n"
      "    - -        Ss     0:00 -\n"
      "  500 ?        -      0:00 other\n"
      "    - -        Ss     0:00 -\n";
  auto t = FilterPsOutput(ps, {400});
  REQUIRE(t);
  CHECK(t->processes.size() == 2);
  auto none = FilterPsOutput("USER COMMAND\nroot sh\n", {1});
  REQUIRE_FALSE(none);
  CHECK(none.error().message().find("PID") != std::string::npos);
  CHECK_FALSE(FilterPsOutput("PID CMD\nabc sh\n", {1}));
}

}  // namespace
}  // namespace builder::runner
