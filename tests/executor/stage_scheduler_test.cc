// Tests for StageScheduler: dependency order, overlap of independent nodes, the jobs bound,
// waiting mid-run for another node, and a failure cancelling the rest.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <string>
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

Result<void> RunDag(std::vector<std::vector<std::size_t>> deps, std::size_t jobs,
                    const std::function<Result<void>(std::size_t)>& run, BuildCancel* cancel) {
  StageScheduler scheduler(std::move(deps), jobs, cancel);
  return scheduler.Run(run);
}

TEST_CASE("RunDag: two independent branches overlap; a join waits for both") {
  // 0 -> 1 -> 3, 0 -> 2 -> 3 (3 reads 1 and 2)
  std::vector<std::vector<std::size_t>> deps = {{}, {0}, {0}, {1, 2}};
  Trace t;
  std::atomic<bool> three_saw_both{false};
  std::atomic<int> done_mask{0};
  std::atomic<int> branches_in{0};
  std::atomic<int> branches_met{0};
  auto r = RunDag(deps, 4, [&](std::size_t i) -> Result<void> {
    if (i == 3) three_saw_both = done_mask.load() == 0b0111;
    if (i == 1 || i == 2) {
      // Each branch waits (up to 5 s) for the other to be running: only overlap passes.
      ++branches_in;
      for (int k = 0; k < 500 && branches_in.load() < 2; ++k) std::this_thread::sleep_for(10ms);
      if (branches_in.load() == 2) ++branches_met;
    }
    auto res = t.Run(i, 10ms);
    done_mask |= 1 << i;
    return res;
  }, nullptr);
  REQUIRE(r);
  CHECK(t.ended.size() == 4);
  CHECK(branches_met == 2);  // 1 and 2 together
  CHECK(three_saw_both);
  CHECK(t.started.front() == 0);
  CHECK(t.ended.back() == 3);
}

TEST_CASE("RunDag: jobs bounds how many run at once; jobs 1 keeps index order") {
  std::vector<std::vector<std::size_t>> deps(5);
  Trace wide;
  REQUIRE(RunDag(deps, 2, [&](std::size_t i) { return wide.Run(i, 50ms); }, nullptr));
  CHECK(wide.peak <= 2);
  CHECK(wide.ended.size() == 5);
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

TEST_CASE("RunDag: a dependency on a later node is refused before anything runs") {
  std::atomic<int> runs{0};
  auto count = [&](std::size_t) -> Result<void> { ++runs; return {}; };
  CHECK(!RunDag({{1}, {0}}, 2, count, nullptr));
  CHECK(!RunDag({{5}}, 2, count, nullptr));
  CHECK(runs == 0);
}

TEST_CASE("WaitFor: a node works before it needs another, and hands its slot over meanwhile") {
  // 2 starts at once (no start deps), works, then waits for 1 mid-run; jobs 1 still finishes.
  for (std::size_t jobs : {1u, 3u}) {
    StageScheduler scheduler({{}, {0}, {}}, jobs, nullptr);
    std::mutex mu;
    std::vector<std::string> events;
    auto log = [&](std::string e) {
      std::lock_guard l(mu);
      events.push_back(std::move(e));
    };
    auto saw = [&](const std::string& e) {
      std::lock_guard l(mu);
      return std::find(events.begin(), events.end(), e) != events.end();
    };
    auto r = scheduler.Run([&](std::size_t i) -> Result<void> {
      log("start " + std::to_string(i));
      // With slots to spare, 0 stays until 2 runs (up to 5 s): 2 needs no one to begin.
      for (int k = 0; jobs > 1 && i == 0 && k < 500 && !saw("start 2"); ++k)
        std::this_thread::sleep_for(10ms);
      if (i == 2) {
        BUILDER_TRY(scheduler.WaitFor(1));
        log("2 saw 1");
      }
      std::this_thread::sleep_for(30ms);
      log("end " + std::to_string(i));
      return {};
    });
    REQUIRE(r);
    auto at = [&](const std::string& e) {
      return std::find(events.begin(), events.end(), e) - events.begin();
    };
    CHECK(at("end 1") < at("2 saw 1"));
    CHECK(at("2 saw 1") < static_cast<long>(events.size()));
    if (jobs == 1) {
      // One at a time, lowest index first: 0, then 1 (2 waits for a slot), then 2's rest.
      CHECK(events == std::vector<std::string>{"start 0", "end 0", "start 1", "end 1", "start 2",
                                               "2 saw 1", "end 2"});
    } else {
      CHECK(at("start 2") < at("end 0"));  // 2 began before 1 could
    }
  }
}

TEST_CASE("WaitFor: a node that failed gives the waiter kCancelled; the first error wins") {
  BuildCancel cancel;
  StageScheduler scheduler({{}, {}}, 2, &cancel);
  std::atomic<bool> waiter_cancelled{false};
  auto r = scheduler.Run([&](std::size_t i) -> Result<void> {
    if (i == 0) {
      std::this_thread::sleep_for(20ms);
      return Fail(ErrorCode::kInvalidArgument, "0 broke");
    }
    auto waited = scheduler.WaitFor(0);
    waiter_cancelled = !waited && waited.error().code() == ErrorCode::kCancelled;
    return waited;
  });
  REQUIRE(!r);
  CHECK(r.error().message() == "0 broke");
  CHECK(waiter_cancelled);
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
