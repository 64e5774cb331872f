// Tests for the plain and JSON build reporters: the BuildKit-style lines and byte-progress rate limits.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "executor/build_reporter.h"
#include "support/mem_file.h"

namespace builder::executor {
namespace {

using std::chrono::milliseconds;

using testing::MemFile;

TEST_CASE("plain: a short step's byte progress prints nothing") {
  MemFile out;
  std::chrono::steady_clock::time_point now{};
  auto r = MakeBuildReporter(ReportFormat::kPlain, out.f, [&] { return now; });
  r->Started(2, "[2/2] COPY . /src");
  r->Progress(2, "hashing context", 100, 0);
  now += milliseconds(900);
  r->Progress(2, "hashing context", 5000, 0);
  r->Done(2, 0.9);
  CHECK(out.str() == "#2 [2/2] COPY . /src\n#2 DONE 0.9s\n\n");
}

TEST_CASE("plain: a long step prints at most a line a second, and its last state when it ends") {
  MemFile out;
  std::chrono::steady_clock::time_point now{};
  auto r = MakeBuildReporter(ReportFormat::kPlain, out.f, [&] { return now; });
  r->Started(3, "[3/3] RUN make");
  r->Progress(3, "exporting layer", 0, 500000000);
  now += milliseconds(1000);
  r->Progress(3, "exporting layer", 12300000, 500000000);
  now += milliseconds(500);
  r->Progress(3, "exporting layer", 100000000, 500000000);  // within the second: dropped
  now += milliseconds(600);
  r->Progress(3, "exporting layer", 200000000, 500000000);
  r->Progress(3, "exporting layer", 500000000, 500000000);
  now += milliseconds(100);
  r->Done(3, 2.2);
  CHECK(out.str() ==
        "#3 [3/3] RUN make\n"
        "#3 exporting layer: 12.3 MB / 500 MB 1.0s\n"
        "#3 exporting layer: 200 MB / 500 MB 2.1s\n"
        "#3 exporting layer: 500 MB / 500 MB done 2.2s\n"
        "#3 DONE 2.2s\n\n");
}

TEST_CASE("plain: the rate limit is per step") {
  MemFile out;
  std::chrono::steady_clock::time_point now{};
  auto r = MakeBuildReporter(ReportFormat::kPlain, out.f, [&] { return now; });
  r->Progress(1, "hashing context", 1, 0);
  now += milliseconds(1000);
  r->Progress(2, "hashing context", 2, 0);  // step 2's first event: its second starts now
  r->Progress(1, "hashing context", 3, 0);
  r->Errored(1, "boom");
  r->Cached(2);
  CHECK(out.str() ==
        "#1 hashing context: 3 B 1.0s\n"
        "#1 hashing context: 3 B done 1.0s\n"
        "#1 ERROR: boom\n"
        "#2 CACHED\n\n");
}

TEST_CASE("plain: output lines carry the time since the build began") {
  MemFile out;
  std::chrono::steady_clock::time_point now{};
  auto r = MakeBuildReporter(ReportFormat::kPlain, out.f, [&] { return now; });
  now += milliseconds(1250);
  r->Output(4, "hello");
  r->Note("naming to x");
  CHECK(out.str() == "#4 1.250 hello\nnaming to x\n");
}

TEST_CASE("plain: a NUL or control byte in output does not cut the line") {
  using namespace std::string_literals;
  MemFile out;
  std::chrono::steady_clock::time_point now{};
  auto r = MakeBuildReporter(ReportFormat::kPlain, out.f, [&] { return now; });
  r->Output(2, "a\0b\x01" "c\xff" "d"s);
  r->Errored(2, "bad\0tail"s);
  r->Note("note\0rest"s);
  CHECK(out.str() == "#2 0.000 a\0b\x01" "c\xff" "d\n#2 ERROR: bad\0tail\nnote\0rest\n"s);
}

TEST_CASE("json: a NUL in output is escaped and the rest of the line kept") {
  using namespace std::string_literals;
  MemFile out;
  auto r = MakeBuildReporter(ReportFormat::kJson, out.f);
  r->Output(3, "before\0after\x02"s);
  CHECK(out.str() == "{\"event\":\"output\",\"id\":3,\"line\":\"before\\u0000after\\u0002\"}\n");
}

TEST_CASE("json: progress events are rate-limited like plain lines") {
  MemFile out;
  std::chrono::steady_clock::time_point now{};
  auto r = MakeBuildReporter(ReportFormat::kJson, out.f, [&] { return now; });
  r->Started(5, "[2/2] COPY . /src");
  r->Progress(5, "hashing context", 10, 0);
  now += milliseconds(1500);
  r->Progress(5, "hashing context", 20, 0);
  r->Progress(5, "hashing context", 30, 0);
  r->Done(5, 1.5);
  CHECK(out.str() ==
        "{\"event\":\"start\",\"id\":5,\"name\":\"[2/2] COPY . /src\"}\n"
        "{\"done\":20,\"event\":\"progress\",\"id\":5,\"total\":0,\"what\":\"hashing context\"}\n"
        "{\"done\":30,\"event\":\"progress\",\"id\":5,\"total\":0,\"what\":\"hashing context\"}\n"
        "{\"event\":\"done\",\"id\":5,\"seconds\":1.5}\n");
}

TEST_CASE("quiet prints nothing, progress and Finish included") {
  MemFile out;
  auto r = MakeBuildReporter(ReportFormat::kQuiet, out.f);
  r->Started(1, "x");
  r->Progress(1, "exporting layer", 1, 2);
  r->Done(1, 0.0);
  r->Finish();
  CHECK(out.str().empty());
}

TEST_CASE("auto is plain when stderr is no terminal") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  CHECK(AutoReportFormat(fds[1]) == ReportFormat::kPlain);
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace builder::executor

namespace builder::executor {
namespace {

TEST_CASE("plain: interleaved vertices of parallel stages get BuildKit's '#N ...' and headers again") {
  testing::MemFile out;
  std::chrono::steady_clock::time_point now{};
  auto r = MakeBuildReporter(ReportFormat::kPlain, out.f, [&] { return now; });
  r->Started(1, "[a 2/2] RUN x");
  r->Started(2, "[b 2/2] RUN y");
  r->Output(1, "from a");
  r->Errored(2, "boom");
  r->Canceled(1);
  CHECK(out.str() ==
        "#1 [a 2/2] RUN x\n"
        "#1 ...\n\n"
        "#2 [b 2/2] RUN y\n"
        "#2 ...\n\n"
        "#1 [a 2/2] RUN x\n"
        "#1 0.000 from a\n"
        "#1 ...\n\n"
        "#2 [b 2/2] RUN y\n"
        "#2 ERROR: boom\n"
        "\n#1 [a 2/2] RUN x\n"
        "#1 CANCELED\n\n");
}

TEST_CASE("plain: a sequential build prints no repeated headers") {
  testing::MemFile out;
  std::chrono::steady_clock::time_point now{};
  auto r = MakeBuildReporter(ReportFormat::kPlain, out.f, [&] { return now; });
  r->Started(1, "[1/2] FROM busybox");
  r->Done(1, 0.0);
  r->Started(2, "[2/2] RUN x");
  r->Output(2, "hi");
  r->Cached(3);
  CHECK(out.str() == "#1 [1/2] FROM busybox\n#1 DONE 0.0s\n\n#2 [2/2] RUN x\n#2 0.000 hi\n#2 ...\n\n#3 CACHED\n\n");
}

TEST_CASE("json: a canceled step is its own event") {
  testing::MemFile out;
  auto r = MakeBuildReporter(ReportFormat::kJson, out.f);
  r->Canceled(4);
  CHECK(out.str() == "{\"event\":\"canceled\",\"id\":4}\n");
}

}  // namespace
}  // namespace builder::executor

namespace builder::executor {
namespace {

TEST_CASE("plain and json: events from several threads come out as whole lines") {
  for (ReportFormat format : {ReportFormat::kPlain, ReportFormat::kJson}) {
    testing::MemFile out;
    auto r = MakeBuildReporter(format, out.f);
    std::vector<std::thread> threads;
    for (int t = 1; t <= 4; ++t) {
      threads.emplace_back([&r, t] {
        r->Started(t, "step " + std::to_string(t));
        for (int i = 0; i < 200; ++i) r->Output(t, std::string(50, static_cast<char>('a' + t)));
        r->Done(t, 0.1);
      });
    }
    for (auto& th : threads) th.join();
    std::string all = out.str();
    std::size_t outputs = 0, start = 0;
    while (start < all.size()) {
      std::size_t nl = all.find('\n', start);
      REQUIRE(nl != std::string::npos);
      std::string line = all.substr(start, nl - start);
      start = nl + 1;
      for (int t = 1; t <= 4; ++t) {
        std::string run(50, static_cast<char>('a' + t));
        if (line.find(run) == std::string::npos) continue;
        ++outputs;
        // The line is its thread's: the right id, and no other thread's bytes in it.
        std::string id = format == ReportFormat::kJson ? "\"id\":" + std::to_string(t) + "," : "#" + std::to_string(t) + " ";
        CHECK(line.find(id) != std::string::npos);
        CHECK(line.size() < 50 + 40);
      }
    }
    CHECK(outputs == 800);
  }
}

}  // namespace
}  // namespace builder::executor
