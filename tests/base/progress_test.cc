// Tests for progress output in plain and TTY modes with an injected clock.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/progress.h"
#include "support/mem_file.h"

namespace builder {
namespace {

using testing::MemFile;

TEST_CASE("plain progress prints rate-limited lines") {
  MemFile out;
  auto now = std::chrono::steady_clock::time_point{};
  auto p = MakeProgress(ProgressMode::kPlain, out.f, [&] { return now; });
  p->Start("load", 3000000);
  p->Advance(1000000);  // same instant: no line
  now += std::chrono::seconds(6);
  p->Advance(1000000);
  now += std::chrono::seconds(1);
  p->Advance(1000000);
  p->Finish();
  CHECK(out.str() == "load: started\nload: 2 MB / 3 MB\nload: done 3 MB in 7.0s\n");
}

TEST_CASE("tty progress redraws one line with a bar") {
  MemFile out;
  auto now = std::chrono::steady_clock::time_point{};
  auto p = MakeProgress(ProgressMode::kTty, out.f, [&] { return now; });
  p->Start("save", 100);
  now += std::chrono::seconds(1);
  p->Advance(50);
  p->Finish();
  std::string s = out.str();
  CHECK(s.find("\r\033[Ksave [>  ") == 0);
  CHECK(s.find("[===============>              ] 50 B / 100 B") != std::string::npos);
  CHECK(s.ends_with("save done 50 B in 1.0s\n"));
}

TEST_CASE("mode names and sizes") {
  ProgressMode m;
  CHECK(ParseProgressMode("plain", &m));
  CHECK(m == ProgressMode::kPlain);
  CHECK_FALSE(ParseProgressMode("fancy", &m));
  CHECK(HumanSize(999) == "999 B");
  CHECK(HumanSize(1500) == "1.5 kB");
  CHECK(HumanSize(27000000) == "27 MB");
}

}  // namespace
}  // namespace builder
