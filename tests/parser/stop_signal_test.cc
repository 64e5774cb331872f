// STOPSIGNAL parsing: numbers, names with and without SIG, real-time signals, errors.
#include "parser/stop_signal.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::parser {
namespace {

TEST_CASE("numbers and names") {
  CHECK(ParseStopSignal("9") == 9);
  CHECK(ParseStopSignal("+15") == 15);
  CHECK(ParseStopSignal("-1") == -1);  // Go's Atoi accepts it and so does Docker
  CHECK(ParseStopSignal("SIGTERM") == 15);
  CHECK(ParseStopSignal("term") == 15);
  CHECK(ParseStopSignal("SigQuit") == 3);
  CHECK(ParseStopSignal("SIGKILL") == 9);
  CHECK(ParseStopSignal("WINCH") == 28);
  CHECK(ParseStopSignal("SIGRTMIN") == 34);
  CHECK(ParseStopSignal("RTMIN+3") == 37);
  CHECK(ParseStopSignal("SIGRTMAX-1") == 63);
  CHECK(ParseStopSignal("RTMAX") == 64);
}

TEST_CASE("invalid signals") {
  for (std::string_view s :
       {"0", "", "SIG", "SIGFOO", "TERM ", "RTMIN+16", "RTMAX-15", "1.5", "99999999999999999999"}) {
    auto r = ParseStopSignal(s);
    REQUIRE_FALSE_MESSAGE(r.has_value(), std::string(s));
    CHECK(r.error().message() == "invalid signal: " + std::string(s));
  }
}

}  // namespace
}  // namespace builder::parser
