// Tests for the TTY view's rendering: steps, timers, output tails, byte progress, clamping.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "executor/tty_view.h"

namespace builder::executor {
namespace {

using std::chrono::milliseconds;
using Lines = std::vector<std::string>;
const TtyView::TimePoint t0{};

std::string Dim(const std::string& s) { return "\033[2m" + s + "\033[0m"; }
std::string Red(const std::string& s) { return "\033[31m" + s + "\033[0m"; }

TEST_CASE("live view: finished steps with times, the running step with its timer and last 6 lines") {
  TtyView v(t0);
  v.Started(1, "[1/3] FROM docker.io/library/busybox:latest", t0);
  v.Done(1, 0.0);
  v.Started(2, "[2/3] RUN make", t0 + milliseconds(200));
  for (int i = 1; i <= 8; ++i) v.Output(2, "line " + std::to_string(i));
  CHECK(v.running());
  CHECK(v.Render(t0 + milliseconds(1500), 40, false) ==
        Lines{"[+] Building 1.5s (1/2)",
              " => [1/3] FROM docker.io/library/bu 0.0s",
              " => [2/3] RUN make                  1.3s",
              Dim(" => => # line 3"), Dim(" => => # line 4"), Dim(" => => # line 5"),
              Dim(" => => # line 6"), Dim(" => => # line 7"), Dim(" => => # line 8")});
  // The timer moves without any event.
  CHECK(v.Render(t0 + milliseconds(3000), 40, false)[2] == " => [2/3] RUN make                  2.8s");
}

TEST_CASE("final view: every step, no output lines, FINISHED when all succeeded") {
  TtyView v(t0);
  v.Started(1, "[1/4] FROM docker.io/library/busybox:latest", t0);
  v.Done(1, 0.0);
  v.Started(2, "[2/4] COPY . /src", t0);
  v.Cached(2);
  v.Started(3, "[3/4] RUN make", t0);
  v.Output(3, "cc -c main.c");
  v.Done(3, 12.25);
  v.Started(4, "exporting to image", t0 + milliseconds(12300));
  v.Output(4, "writing image sha256:abc");
  v.Done(4, 0.0);
  CHECK_FALSE(v.running());
  CHECK(v.Render(t0 + milliseconds(12400), 60, true) ==
        Lines{"[+] Building 12.4s (4/4) FINISHED",
              " => [1/4] FROM docker.io/library/busybox:latest         0.0s",
              " => CACHED [2/4] COPY . /src                            0.0s",
              " => [3/4] RUN make                                     12.2s",
              " => exporting to image                                  0.0s"});
}

TEST_CASE("an ERROR step keeps its last lines in the final view") {
  TtyView v(t0);
  v.Started(1, "[1/2] FROM scratch", t0);
  v.Done(1, 0.0);
  v.Started(2, "[2/2] RUN ./configure && make", t0 + milliseconds(100));
  for (int i = 1; i <= 7; ++i) v.Output(2, "out " + std::to_string(i));
  v.Errored(2, t0 + milliseconds(2100));
  CHECK(v.Render(t0 + milliseconds(2200), 50, true) ==
        Lines{"[+] Building 2.2s (1/2)",
              " => [1/2] FROM scratch                        0.0s",
              Red(" => ERROR [2/2] RUN ./configure && make       2.0s"),
              Dim(" => => # out 2"), Dim(" => => # out 3"), Dim(" => => # out 4"),
              Dim(" => => # out 5"), Dim(" => => # out 6"), Dim(" => => # out 7")});
}

TEST_CASE("byte progress shows under a running step and goes when it ends") {
  TtyView v(t0);
  v.Started(1, "[2/2] COPY . /src", t0);
  v.Progress(1, "hashing context", 1000, 0, t0);
  v.Progress(1, "hashing context", 12300000, 0, t0 + milliseconds(500));
  v.Progress(1, "exporting layer", 12300000, 500000000, t0 + milliseconds(1000));
  CHECK(v.Render(t0 + milliseconds(2000), 60, false) ==
        Lines{"[+] Building 2.0s (0/1)",
              " => [2/2] COPY . /src                                   2.0s",
              " => => hashing context 12.3 MB                          2.0s",
              " => => exporting layer 12.3 MB / 500 MB                 1.0s"});
  v.Done(1, 2.5);
  CHECK(v.Render(t0 + milliseconds(2600), 60, false) ==
        Lines{"[+] Building 2.6s (1/1)",
              " => [2/2] COPY . /src                                   2.5s"});
}

TEST_CASE("lines are clamped to the width, output is sanitized, carriage returns keep the last part") {
  TtyView v(t0);
  v.Started(7, "[2/2] RUN echo \033[31mred\033[0m", t0);
  v.Output(7, "downloading 10%\rdownloading 55%\r");
  v.Output(7, "a very long output line that does not fit at all");
  v.Output(7, "tab\there");
  Lines lines = v.Render(t0 + milliseconds(100), 24, false);
  CHECK(lines == Lines{"[+] Building 0.1s (0/1)",
                       " => [2/2] RUN echo  0.1s",
                       Dim(" => => # downloading 55%"),
                       Dim(" => => # a very long out"),
                       Dim(" => => # tab here")});
  // Too narrow for name and time: the name alone, clamped.
  CHECK(v.Render(t0, 5, false)[1] == " => [");
}

TEST_CASE("an empty view has nothing to draw") {
  TtyView v(t0);
  CHECK(v.empty());
  CHECK_FALSE(v.running());
  v.Started(1, "x", t0);
  CHECK_FALSE(v.empty());
}

}  // namespace
}  // namespace builder::executor

namespace builder::executor {
namespace {

TEST_CASE("parallel stages: two running steps each keep their own tail; a canceled one says so") {
  const TtyView::TimePoint start{};
  TtyView v(start);
  v.Started(2, "[a 2/2] RUN x", start);
  v.Started(4, "[b 2/2] RUN y", start);
  v.Output(2, "from a");
  v.Output(4, "from b");
  CHECK(v.Render(start + std::chrono::milliseconds(1000), 40, false) ==
        std::vector<std::string>{"[+] Building 1.0s (0/2)",
                                 " => [a 2/2] RUN x                   1.0s", "\033[2m => => # from a\033[0m",
                                 " => [b 2/2] RUN y                   1.0s", "\033[2m => => # from b\033[0m"});
  v.Errored(4, start + std::chrono::milliseconds(1500));
  v.Canceled(2, start + std::chrono::milliseconds(1600));
  auto final = v.Render(start + std::chrono::milliseconds(1700), 40, true);
  REQUIRE(final.size() == 4);
  CHECK(final[1] == "\033[31m => CANCELED [a 2/2] RUN x          1.6s\033[0m");
  CHECK(final[2] == "\033[31m => ERROR [b 2/2] RUN y             1.5s\033[0m");
}

}  // namespace
}  // namespace builder::executor
