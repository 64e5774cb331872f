// json-file log lines, rotation, and a follower that crosses a rotation.
#include "runner/container_log.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "oci/remove_tree.h"
#include "runner/container_control.h"

namespace builder::runner {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char templ[] = "/tmp/runner-log-XXXXXX";
    path = ::mkdtemp(templ);
  }
  ~TempDir() { (void)oci::RemoveTree(path); }
};

std::string Text(const std::vector<LogEntry>& entries) {
  std::string out;
  for (const auto& e : entries) out += e.stream[3] == 'e' ? "E:" + e.text : e.text;
  return out;
}

TEST_CASE("lines become entries; a partial line is its own entry; streams are kept") {
  TempDir dir;
  const std::string path = dir.path + "/container.log";
  auto w = LogWriter::Open(path, 1 << 20);
  REQUIRE(w);
  REQUIRE(w->Write("stdout", "a\nb\npart"));
  REQUIRE(w->Write("stderr", "oops\n"));
  auto entries = ReadLog(path);
  REQUIRE(entries);
  REQUIRE(entries->size() == 4);
  CHECK((*entries)[2].text == "part");
  CHECK(Text(*entries) == "a\nb\npartE:oops\n");
  CHECK((*entries)[0].time.ends_with("Z"));
  auto line = ParseLogLine(FormatLogLine(LogEntry{"stdout", "t", "\x01\"quoted\"\n"}));
  REQUIRE(line);
  CHECK(line->text == "\x01\"quoted\"\n");
  CHECK(!ParseLogLine("not json"));
}

TEST_CASE("the log rotates at its cap; a follower reads across the rotation") {
  TempDir dir;
  const std::string path = dir.path + "/container.log";
  auto w = LogWriter::Open(path, 400);
  REQUIRE(w);
  LogFollower follower(path);
  std::string seen, written;
  for (int i = 0; i < 40; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    written += line;
    REQUIRE(w->Write("stdout", line));
    if (i % 3 == 0) seen += Text(*follower.Poll());
  }
  seen += Text(*follower.Poll());
  CHECK(seen == written);
  CHECK(::access((path + ".1").c_str(), F_OK) == 0);
  // The cap holds: only the two newest files remain, each near the cap.
  auto all = ReadLog(path);
  REQUIRE(all);
  CHECK(all->size() < 40);
  CHECK(Text(*all).ends_with("line 39\n"));
}

TEST_CASE("signal names and numbers") {
  CHECK(ParseSignal("TERM") == SIGTERM);
  CHECK(ParseSignal("SIGKILL") == SIGKILL);
  CHECK(ParseSignal("usr1") == SIGUSR1);
  CHECK(ParseSignal("9") == 9);
  CHECK(ParseSignal("RTMIN+2") == SIGRTMIN + 2);
  CHECK(!ParseSignal("NOPE"));
  CHECK(!ParseSignal("0"));
  CHECK(!ParseSignal("999"));
}

}  // namespace
}  // namespace builder::runner
