// Tests for GoQuote: Go's strconv.Quote output for escapes, control bytes, invalid UTF-8 and
// printable versus non-printable runes.
#include "parser/go_quote.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::parser {
namespace {

TEST_CASE("GoQuote: ASCII, quotes and backslashes") {
  CHECK(GoQuote("") == "\"\"");
  CHECK(GoQuote("abc def") == "\"abc def\"");
  CHECK(GoQuote("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(GoQuote("a\\b") == "\"a\\\\b\"");
  CHECK(GoQuote("it's") == "\"it's\"");
}

TEST_CASE("GoQuote: C escapes and other control bytes") {
  CHECK(GoQuote("\a\b\f\n\r\t\v") == "\"\\a\\b\\f\\n\\r\\t\\v\"");
  CHECK(GoQuote(std::string("a\0b", 3)) == "\"a\\x00b\"");
  CHECK(GoQuote("\x1b[0m") == "\"\\x1b[0m\"");
  CHECK(GoQuote("\x7f") == "\"\\x7f\"");
}

TEST_CASE("GoQuote: invalid UTF-8 prints each bad byte as \\xNN") {
  CHECK(GoQuote("\xff") == "\"\\xff\"");
  CHECK(GoQuote("a\xc3") == "\"a\\xc3\"");                  // truncated sequence
  CHECK(GoQuote("\xc0\xaf") == "\"\\xc0\\xaf\"");           // overlong encoding
  CHECK(GoQuote("\xed\xa0\x80") == "\"\\xed\\xa0\\x80\"");  // encoded surrogate
  CHECK(GoQuote("\xef\xbf\xbd") == "\"\xef\xbf\xbd\"");     // a real U+FFFD is printable
}

TEST_CASE("GoQuote: printable runes raw, others as \\u or \\U") {
  CHECK(GoQuote("\xe2\x99\xa5") == "\"\xe2\x99\xa5\"");                          // ♥
  CHECK(GoQuote("\xed\x95\x9c\xea\xb5\xad") == "\"\xed\x95\x9c\xea\xb5\xad\"");  // 한국
  CHECK(GoQuote("\xf0\x9f\x98\x80") == "\"\xf0\x9f\x98\x80\"");                  // U+1F600
  CHECK(GoQuote("\xc2\xa0") == "\"\\u00a0\"");                                   // NO-BREAK SPACE
  CHECK(GoQuote("\xc2\x85") == "\"\\u0085\"");                                   // NEL (C1 control)
  CHECK(GoQuote("\xe2\x80\x8b") == "\"\\u200b\"");          // ZERO WIDTH SPACE (Cf)
  CHECK(GoQuote("\xef\xbb\xbf") == "\"\\ufeff\"");          // BOM
  CHECK(GoQuote("\xe2\x80\xa8") == "\"\\u2028\"");          // LINE SEPARATOR
  CHECK(GoQuote("\xf3\xa0\x80\x81") == "\"\\U000e0001\"");  // LANGUAGE TAG (Cf)
  CHECK(GoQuote("\xf4\x8f\xbf\xbf") == "\"\\U0010ffff\"");  // unassigned
  CHECK(GoQuote("\xee\x80\x80") == "\"\\ue000\"");          // private use
}

TEST_CASE("IsGoPrint: category boundaries") {
  CHECK(IsGoPrint(' '));
  CHECK(IsGoPrint('~'));
  CHECK_FALSE(IsGoPrint(0x7F));
  CHECK_FALSE(IsGoPrint(0xA0));
  CHECK(IsGoPrint(0xA1));
  CHECK_FALSE(IsGoPrint(0xAD));  // SOFT HYPHEN is Cf
  CHECK(IsGoPrint(0x0301));      // combining acute (Mn)
  CHECK(IsGoPrint(0x3000 + 1));
  CHECK_FALSE(IsGoPrint(0x3000));  // IDEOGRAPHIC SPACE is Zs
  CHECK(IsGoPrint(0x31350));       // CJK extension H, new in Unicode 15.0
  CHECK_FALSE(IsGoPrint(0x110000));
}

TEST_CASE("AppendGoQuoted appends") {
  std::string out = "x ";
  AppendGoQuoted(out, "y");
  CHECK(out == "x \"y\"");
}

}  // namespace
}  // namespace builder::parser
