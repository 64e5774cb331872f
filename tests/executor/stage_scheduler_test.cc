// Tests for RunDag: dependency order, overlap of independent nodes, the jobs bound, and a
// failure cancelling the rest.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "executor/stage_scheduler.h"

namespace builder::executor {
namespace {

using namespace std::chrono_literals;

// Records the order nodes start and end in, and the most that ran at once.
struct Trace {
  std::mutex mu;
  std::vector<std::size_t> started, ended;
  int now = 0, peak = 0;

  Result<void> Run(std::size_t i, std::chrono::milliseconds busy) {
    {
      std::lock_guard l(mu);
      started.push_back(i);
      peak = std::max(peak, ++now);
    }
    std::this_thread::sleep_for(busy);
    std::lock_guard l(mu);
    ended.push_back(i);
    --now;
    return {};
  }
};

TEST_CASE("RunDag: two independent branches overlap; a join waits for both") {
  // 0 -> 1 -> 3, 0 -> 2 -> 3 (3 reads 1 and 2)
  std::vector<std::vector<std::size_t>> deps = {{}, {0}, {0}, {1, 2}};
  Trace t;
  std::atomic<bool> three_saw_both{false};
  std::atomic<int> done_mask{0};
  auto r = RunDag(deps, 4, [&](std::size_t i) -> Result<void> {
    if (i == 3) three_saw_both = done_mask.load() == 0b0111;
    auto res = t.Run(i, 100ms);
    done_mask |= 1 << i;
    return res;
  }, nullptr);
  REQUIRE(r);
  CHECK(t.ended.size() == 4);
  CHECK(t.peak == 2);  // 1 and 2 together
  CHECK(three_saw_both);
  CHECK(t.started.front() == 0);
  CHECK(t.ended.back() == 3);
}

TEST_CASE("RunDag: jobs bounds how many run at once; jobs 1 keeps index order") {
  std::vector<std::vector<std::size_t>> deps(5);
  Trace wide;
  REQUIRE(RunDag(deps, 2, [&](std::size_t i) { return wide.Run(i, 50ms); }, nullptr));
  CHECK(wide.peak == 2);
  Trace one;
  REQUIRE(RunDag(deps, 1, [&](std::size_t i) { return one.Run(i, 1ms); }, nullptr));
  CHECK(one.peak == 1);
  CHECK(one.started == std::vector<std::size_t>{0, 1, 2, 3, 4});
}

TEST_CASE("RunDag: the first failure cancels, stops new nodes and is the error returned") {
  // 0 fails fast; 1 runs long and watches the cancel flag; 2 needs 0 and never starts.
  std::vector<std::vector<std::size_t>> deps = {{}, {}, {0}};
  BuildCancel cancel;
  std::atomic<bool> ran2{false};
  auto r = RunDag(deps, 3, [&](std::size_t i) -> Result<void> {
    if (i == 0) {
      std::this_thread::sleep_for(20ms);
      return Fail(ErrorCode::kInvalidArgument, "step 0 failed");
    }
    if (i == 2) ran2 = true;
    for (int k = 0; k < 500 && !cancel.cancelled(); ++k) std::this_thread::sleep_for(2ms);
    return Fail(ErrorCode::kCancelled, "canceled");
  }, &cancel);
  REQUIRE(!r);
  CHECK(r.error().message() == "step 0 failed");
  CHECK(cancel.cancelled());
  CHECK(!ran2);
}

TEST_CASE("RunDag: a cycle or a bad index is refused before anything runs") {
  std::atomic<int> runs{0};
  auto count = [&](std::size_t) -> Result<void> { ++runs; return {}; };
  CHECK(!RunDag({{1}, {0}}, 2, count, nullptr));
  CHECK(!RunDag({{5}}, 2, count, nullptr));
  CHECK(runs == 0);
}

TEST_CASE("BuildCancel: a sandbox registered after the cancel is refused") {
  BuildCancel cancel;
  CHECK(cancel.Register(999999));
  cancel.Unregister(999999);
  cancel.Cancel();
  CHECK(!cancel.Register(999999));
}

}  // namespace
}  // namespace builder::executor
