// Tests for Error formatting, context chaining and BUILDER_TRY propagation.
#include <doctest/doctest.h>

#include <cerrno>

#include "base/error.h"

namespace builder {
namespace {

Result<int> Half(int v) {
  if (v % 2) return Fail(ErrorCode::kInvalidArgument, std::to_string(v) + " is odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  int h = BUILDER_TRY(Half(v));
  return BUILDER_TRY(Half(h));
}

TEST_CASE("context is prepended one phrase at a time") {
  Error e(ErrorCode::kIo, "open usr/bin: No such file or directory", ENOENT);
  e.Context("unpack layer sha256:ab12");
  CHECK(e.ToString() == "unpack layer sha256:ab12: open usr/bin: No such file or directory");
  CHECK(e.sys_errno() == ENOENT);
  CHECK_FALSE(e.has_location());
}

TEST_CASE("FromErrno names the operation and the errno text") {
  Error e = Error::FromErrno("open /nope", ENOENT);
  CHECK(e.code() == ErrorCode::kIo);
  CHECK(e.ToString() == "open /nope: No such file or directory");
}

TEST_CASE("located errors print file:line:col, the line and a caret") {
  Error e = Error::AtSource({"Dockerfile", 3, 5, "RUN\t--bad x"}, "unknown flag: --bad");
  CHECK(e.ToString() == "Dockerfile:3:5: unknown flag: --bad");
  CHECK(e.Describe() == "Dockerfile:3:5: unknown flag: --bad\n  RUN\t--bad x\n     \t^");
}

TEST_CASE("a long source line is shown as a window around the caret") {
  std::string line(300, 'x');
  line[150] = 'Y';
  Error e = Error::AtSource({"Dockerfile", 2, 151, line}, "bad");
  const std::string want = "Dockerfile:2:151: bad\n  ..." + std::string(60, 'x') + "Y" +
                           std::string(59, 'x') + "...\n  " + std::string(63, ' ') + "^";
  CHECK(e.Describe() == want);
  Error start = Error::AtSource({"Dockerfile", 2, 1, line}, "bad");
  CHECK(start.Describe() == "Dockerfile:2:1: bad\n  " + std::string(60, 'x') + "...\n  ^");
}

TEST_CASE("QuoteForMessage escapes control bytes and cuts long text") {
  CHECK(QuoteForMessage("a\nb") == "\"a\\x0ab\"");
  CHECK(QuoteForMessage(std::string_view("\0x", 2)) == "\"\\x00x\"");
  CHECK(QuoteForMessage("abcdef", 3) == "\"abc...\"");
}

TEST_CASE("BUILDER_TRY propagates the first error and unwraps values") {
  CHECK(Quarter(8).value() == 2);
  auto r = Quarter(6);
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "3 is odd");
}

}  // namespace
}  // namespace builder
