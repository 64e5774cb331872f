// Tests for the line reader: BOM, CR, the 64 KiB limit, BuildKit's continuation rule and the
// joined line's map back to source positions.
#include "parser/line_reader.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::parser {
namespace {

std::vector<PhysicalLine> Lines(std::string_view content) {
  LineCursor cursor(content);
  std::vector<PhysicalLine> out;
  PhysicalLine line;
  while (cursor.Next(&line)) {
    out.push_back(line);
    CHECK(cursor.line_number() == static_cast<int>(out.size()));
  }
  CHECK(CountLines(content) >= out.size());
  return out;
}

std::vector<std::string> Texts(std::string_view content) {
  std::vector<std::string> out;
  for (const auto& line : Lines(content)) out.emplace_back(line.text);
  return out;
}

TEST_CASE("LineCursor: terminators, CR and BOM") {
  CHECK(Texts("").empty());
  CHECK(Texts("a") == std::vector<std::string>{"a"});
  CHECK(Texts("a\n") == std::vector<std::string>{"a"});
  CHECK(Texts("a\n\nb") == std::vector<std::string>{"a", "", "b"});
  CHECK(Texts("a\r\nb\r\r\n") == std::vector<std::string>{"a", "b"});
  CHECK(Texts("a\rb\n") == std::vector<std::string>{"a\rb"});  // only trailing CRs go
  CHECK(Texts("\xEF\xBB\xBF"
              "FROM x\n\xEF\xBB\xBF") ==
        std::vector<std::string>{"FROM x", "\xEF\xBB\xBF"});  // only the first BOM goes

  const auto lines = Lines("x\r\ny");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].raw == "x\r");
  CHECK(lines[0].has_newline);
  CHECK_FALSE(lines[1].has_newline);
}

TEST_CASE("CountLines") {
  CHECK(CountLines("") == 0);
  CHECK(CountLines("a") == 1);
  CHECK(CountLines("a\n") == 1);
  CHECK(CountLines("a\n\nb") == 3);
}

TEST_CASE("EstimateInstructions counts lines starting with a letter") {
  CHECK(EstimateInstructions("") == 0);
  CHECK(EstimateInstructions("FROM a\n\n# c\n  RUN b\nrun c \\\nd") == 3);
  CHECK(EstimateInstructions(std::string(1000, '\n')) == 0);
}

TEST_CASE("TrimLeftSpace: Go's unicode.IsSpace") {
  CHECK(TrimLeftSpace(" \t\v\f\r x ") == "x ");
  CHECK(TrimLeftSpace("\xc2\xa0\xc2\x85x") == "x");
  CHECK(TrimLeftSpace("\xe3\x80\x80x") == "x");              // IDEOGRAPHIC SPACE
  CHECK(TrimLeftSpace("\xe2\x80\x8bx") == "\xe2\x80\x8bx");  // ZWSP is not a space
  CHECK(TrimLeftSpace("   ").empty());
}

TEST_CASE("TrimContinuation: BuildKit's ([^E])E[ \\t]*$|^E[ \\t]*$") {
  using P = std::pair<std::string_view, bool>;
  CHECK(TrimContinuation("RUN a \\", '\\') == P{"RUN a ", true});
  CHECK(TrimContinuation("RUN a \\ \t ", '\\') == P{"RUN a ", true});
  CHECK(TrimContinuation("\\", '\\') == P{"", true});
  CHECK(TrimContinuation("  \\", '\\') == P{"  ", true});
  CHECK(TrimContinuation("RUN foo\\\\", '\\') == P{"RUN foo\\\\", false});
  CHECK(TrimContinuation("\\\\", '\\') == P{"\\\\", false});
  CHECK(TrimContinuation("RUN a", '\\') == P{"RUN a", false});
  CHECK(TrimContinuation("RUN a \\x", '\\') == P{"RUN a \\x", false});
  CHECK(TrimContinuation("RUN a `", '`') == P{"RUN a ", true});
  CHECK(TrimContinuation("RUN a \\", '`') == P{"RUN a \\", false});
  CHECK(TrimContinuation("", '\\') == P{"", false});
}

TEST_CASE("JoinedLine maps offsets back to line and column") {
  JoinedLine joined;
  joined.Append("RUN a ", 3, 5);
  joined.Append("", 4, 1);
  joined.Append("  b", 6, 1);
  CHECK(joined.text() == "RUN a   b");
  CHECK(joined.PosAt(0).line == 3);
  CHECK(joined.PosAt(0).col == 5);
  CHECK(joined.PosAt(4).col == 9);
  CHECK(joined.PosAt(6).line == 6);
  CHECK(joined.PosAt(6).col == 1);
  CHECK(joined.PosAt(8).col == 3);
  joined.Clear();
  CHECK(joined.text().empty());
  CHECK(joined.PosAt(0).line == 0);
}

}  // namespace
}  // namespace builder::parser
