// Tests for the live TTY reporter's drawing: redraw over the last block, notes, the final block.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "executor/tty_reporter.h"
#include "support/mem_file.h"

namespace builder::executor {
namespace {

using std::chrono::milliseconds;

using testing::MemFile;

struct Fixture {
  MemFile out;
  std::chrono::steady_clock::time_point now{};
  TtyReporterOptions Options(int height = 0) {
    TtyReporterOptions o;
    o.clock = [this] { return now; };
    o.width = [] { return 40; };
    o.height = [height] { return height; };
    o.ticker = false;
    return o;
  }
};

// What follows the last "clear to the end of the screen": the block as last printed.
std::string LastBlock(const std::string& s) {
  auto at = s.rfind("\033[J");
  return at == std::string::npos ? s : s.substr(at + 3);
}

TEST_CASE("ticks redraw over the previous block; Finish prints the final block once") {
  Fixture fx;
  TtyReporter r(fx.out.f, fx.Options());
  r.Tick();
  CHECK(fx.out.str().empty());  // nothing started: nothing drawn
  r.Started(1, "[1/2] FROM scratch");
  r.Done(1, 0.0);
  r.Started(2, "[2/2] RUN make");
  r.Output(2, "cc main.c");
  fx.now += milliseconds(1200);
  r.Tick();
  CHECK(fx.out.str() ==
        "\r\033[K[+] Building 1.2s (1/2)\n"
        "\033[K => [1/2] FROM scratch              0.0s\n"
        "\033[K => [2/2] RUN make                  1.2s\n"
        "\033[K\033[2m => => # cc main.c\033[0m\n"
        "\033[J");
  std::size_t first = fx.out.str().size();
  fx.now += milliseconds(100);
  r.Tick();  // running: the timer moves even without events
  std::string second = fx.out.str().substr(first);
  CHECK(second.starts_with("\033[4A\r\033[K[+] Building 1.3s (1/2)\n"));
  CHECK(second.find(" => [2/2] RUN make                  1.3s\n") != std::string::npos);
  r.Done(2, 1.5);
  r.Started(3, "exporting to image");
  r.Done(3, 0.0);
  fx.now += milliseconds(400);
  r.Finish();
  std::string all = fx.out.str();
  CHECK(all.substr(all.rfind("\033[")) ==
        "\033[J[+] Building 1.7s (3/3) FINISHED\n"
        " => [1/2] FROM scratch              0.0s\n"
        " => [2/2] RUN make                  1.5s\n"
        " => exporting to image              0.0s\n");
  CHECK(all.find("\033[4A\r\033[J[+] Building 1.7s") != std::string::npos);  // erased the live block
  r.Finish();  // idempotent
  r.Tick();    // and the view no longer draws
  CHECK(fx.out.str() == all);
}

TEST_CASE("a tick without changes and nothing running draws nothing") {
  Fixture fx;
  TtyReporter r(fx.out.f, fx.Options());
  r.Started(1, "[1/1] FROM scratch");
  r.Done(1, 0.0);
  r.Tick();
  std::string once = fx.out.str();
  fx.now += milliseconds(500);
  r.Tick();
  CHECK(fx.out.str() == once);
}

TEST_CASE("a failed build's final block keeps the ERROR step's last lines") {
  Fixture fx;
  {
    TtyReporter r(fx.out.f, fx.Options());
    r.Started(1, "[1/2] FROM scratch");
    r.Done(1, 0.0);
    r.Started(2, "[2/2] RUN false");
    r.Output(2, "about to fail");
    fx.now += milliseconds(300);
    r.Errored(2, "process exited 1");
  }  // the destructor finishes
  CHECK(LastBlock(fx.out.str()) ==
        "[+] Building 0.3s (1/2)\n"
        " => [1/2] FROM scratch              0.0s\n"
        "\033[31m => ERROR [2/2] RUN false           0.3s\033[0m\n"
        "\033[2m => => # about to fail\033[0m\n");
}

TEST_CASE("a NUL in step output shows as a space and keeps the rest of the line") {
  using namespace std::string_literals;
  Fixture fx;
  {
    TtyReporter r(fx.out.f, fx.Options());
    r.Started(1, "[1/1] RUN x");
    r.Output(1, "left\0right"s);
    fx.now += milliseconds(300);
    r.Errored(1, "failed");
  }
  CHECK(LastBlock(fx.out.str()).find("left right") != std::string::npos);
}

TEST_CASE("notes print above the live block, which is drawn again on the next tick") {
  Fixture fx;
  TtyReporter r(fx.out.f, fx.Options());
  r.Note("WARNING: early\n  second line");  // before any step: plain lines
  CHECK(fx.out.str() == "WARNING: early\n  second line\n");
  r.Started(1, "[1/1] FROM scratch");
  r.Tick();
  std::size_t mark = fx.out.str().size();
  r.Note("warn\033[1m bold");
  CHECK(fx.out.str().substr(mark) == "\033[2A\r\033[Jwarn bold\n");
  mark = fx.out.str().size();
  r.Tick();
  CHECK(fx.out.str().substr(mark).starts_with("\r\033[K[+] Building"));  // no cursor-up: block was erased
}

TEST_CASE("a live block taller than the terminal keeps the header and the newest lines") {
  Fixture fx;
  TtyReporter r(fx.out.f, fx.Options(/*height=*/4));
  for (int i = 1; i <= 5; ++i) {
    r.Started(i, "step " + std::to_string(i));
    r.Done(i, 0.0);
  }
  r.Started(6, "step 6");
  r.Tick();
  CHECK(fx.out.str() ==
        "\r\033[K[+] Building 0.0s (5/6)\n"
        "\033[K => step 5                          0.0s\n"
        "\033[K => step 6                          0.0s\n"
        "\033[J");
  r.Done(6, 0.0);
  r.Finish();  // the final block is complete, whatever the height
  std::string last = LastBlock(fx.out.str());
  CHECK(last.find("step 1") != std::string::npos);
  CHECK(last.find("step 6") != std::string::npos);
}

TEST_CASE("with its ticker thread the reporter still ends with the final block") {
  MemFile out;
  TtyReporterOptions o;
  o.width = [] { return 40; };
  o.interval = milliseconds(1);
  TtyReporter r(out.f, o);
  r.Started(1, "[1/1] FROM scratch");
  for (int i = 0; i < 200; ++i) r.Output(1, "line");
  r.Done(1, 0.0);
  r.Finish();
  std::string last = LastBlock(out.str());
  CHECK(last.starts_with("[+] Building "));
  CHECK(last.ends_with("(1/1) FINISHED\n => [1/1] FROM scratch              0.0s\n"));
}

}  // namespace
}  // namespace builder::executor
