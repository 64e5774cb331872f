// Go time.ParseDuration compatibility (cases from Go's time package behaviour) and String().
#include "parser/duration.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::parser {
namespace {

DurationNs Ok(std::string_view s) {
  auto r = ParseGoDuration(s);
  REQUIRE_MESSAGE(r.has_value(), std::string(s));
  return *r;
}

std::string Err(std::string_view s) {
  auto r = ParseGoDuration(s);
  REQUIRE_FALSE_MESSAGE(r.has_value(), std::string(s));
  return r.error().message();
}

TEST_CASE("valid durations") {
  CHECK(Ok("0") == 0);
  CHECK(Ok("-0") == 0);
  CHECK(Ok("+0") == 0);
  CHECK(Ok("0s") == 0);
  CHECK(Ok("5s") == 5 * kSecond);
  CHECK(Ok("30s") == 30 * kSecond);
  CHECK(Ok("1478s") == 1478 * kSecond);
  CHECK(Ok("-5s") == -5 * kSecond);
  CHECK(Ok("+5s") == 5 * kSecond);
  CHECK(Ok("5.0s") == 5 * kSecond);
  CHECK(Ok("5.6s") == 5 * kSecond + 600 * kMillisecond);
  CHECK(Ok("5.s") == 5 * kSecond);
  CHECK(Ok(".5s") == 500 * kMillisecond);
  CHECK(Ok("1.004s") == 1 * kSecond + 4 * kMillisecond);
  CHECK(Ok("10ns") == 10);
  CHECK(Ok("11us") == 11 * kMicrosecond);
  CHECK(Ok("12\xC2\xB5s") == 12 * kMicrosecond);
  CHECK(Ok("12\xCE\xBCs") == 12 * kMicrosecond);
  CHECK(Ok("13ms") == 13 * kMillisecond);
  CHECK(Ok("15m") == 15 * kMinute);
  CHECK(Ok("16h") == 16 * kHour);
  CHECK(Ok("3h30m") == 3 * kHour + 30 * kMinute);
  CHECK(Ok("10.5s4m") == 4 * kMinute + 10 * kSecond + 500 * kMillisecond);
  CHECK(Ok("-2m3.4s") == -(2 * kMinute + 3 * kSecond + 400 * kMillisecond));
  CHECK(Ok("1h2m3s4ms5us6ns") ==
        kHour + 2 * kMinute + 3 * kSecond + 4 * kMillisecond + 5 * kMicrosecond + 6);
  CHECK(Ok("39h9m14.425s") == 39 * kHour + 9 * kMinute + 14 * kSecond + 425 * kMillisecond);
  CHECK(Ok("52763797000ns") == 52763797000);
  CHECK(Ok("0.3333333333333333333h") == 20 * kMinute);
  CHECK(Ok("9007199254740993ns") == 9007199254740993);
  CHECK(Ok("9223372036854775807ns") == INT64_MAX);
  CHECK(Ok("9223372036854775.807us") == INT64_MAX);
  CHECK(Ok("-9223372036854775808ns") == INT64_MIN);
  CHECK(Ok("0.100000000000000000000h") == 6 * kMinute);
  CHECK(Ok("0.830103483285477580700h") == 49 * kMinute + 48 * kSecond + 372539827);
}

TEST_CASE("invalid durations, with Go's messages") {
  CHECK(Err("") == "time: invalid duration \"\"");
  CHECK(Err("3") == "time: missing unit in duration \"3\"");
  CHECK(Err("-") == "time: invalid duration \"-\"");
  CHECK(Err("s") == "time: invalid duration \"s\"");
  CHECK(Err(".") == "time: invalid duration \".\"");
  CHECK(Err("-.") == "time: invalid duration \"-.\"");
  CHECK(Err(".s") == "time: invalid duration \".s\"");
  CHECK(Err("+.s") == "time: invalid duration \"+.s\"");
  CHECK(Err("1d") == "time: unknown unit \"d\" in duration \"1d\"");
  CHECK(Err("1.1.1s") == "time: missing unit in duration \"1.1.1s\"");
  CHECK(Err("9223372036854775808ns") == "time: invalid duration \"9223372036854775808ns\"");
  CHECK(Err("9223372036854775.808us") == "time: invalid duration \"9223372036854775.808us\"");
  CHECK(Err("-9223372036854775809ns") == "time: invalid duration \"-9223372036854775809ns\"");
  CHECK(Err("3000000h") == "time: invalid duration \"3000000h\"");
  CHECK(Err("5 s") == "time: unknown unit \" s\" in duration \"5 s\"");
  CHECK(Err("\"5s") == "time: invalid duration \"\\\"5s\"");
}

TEST_CASE("FormatGoDuration") {
  CHECK(FormatGoDuration(0) == "0s");
  CHECK(FormatGoDuration(1) == "1ns");
  CHECK(FormatGoDuration(1100) == "1.1\xC2\xB5s");
  CHECK(FormatGoDuration(2200 * kMicrosecond) == "2.2ms");
  CHECK(FormatGoDuration(3300 * kMillisecond) == "3.3s");
  CHECK(FormatGoDuration(4 * kMinute + 5 * kSecond) == "4m5s");
  CHECK(FormatGoDuration(4 * kMinute + 5001 * kMillisecond) == "4m5.001s");
  CHECK(FormatGoDuration(5 * kHour + 6 * kMinute + 7001 * kMillisecond) == "5h6m7.001s");
  CHECK(FormatGoDuration(8 * kMinute + 1) == "8m0.000000001s");
  CHECK(FormatGoDuration(30 * kSecond) == "30s");
  CHECK(FormatGoDuration(-5 * kSecond) == "-5s");
  CHECK(FormatGoDuration(INT64_MAX) == "2562047h47m16.854775807s");
  CHECK(FormatGoDuration(INT64_MIN) == "-2562047h47m16.854775808s");
}

}  // namespace
}  // namespace builder::parser
