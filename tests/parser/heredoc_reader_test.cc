// Tests for heredoc openers: BuildKit's word-level table (valid, invalid, not heredocs) and
// line-level detection.
#include "parser/heredoc_reader.h"

#include <doctest/doctest.h>

namespace builder::parser {
namespace {

Heredoc Word(std::string_view word) {
  auto heredoc = ParseHeredocWord(word);
  REQUIRE(heredoc.has_value());
  REQUIRE(heredoc->has_value());
  return **heredoc;
}

std::vector<std::string> Names(std::string_view line) {
  auto openers = HeredocsFromLine(line);
  REQUIRE(openers.has_value());
  std::vector<std::string> names;
  for (const auto& o : *openers) names.push_back(o.heredoc.name);
  return names;
}

TEST_CASE("ParseHeredocWord: valid forms") {
  for (std::string_view w : {"<<EOF", "<<'EOF'", "<<\"EOF\"", "<<-EOF", "<<-'EOF'", "<<-\"EOF\""}) {
    INFO(w);
    CHECK(Word(w).name == "EOF");
  }
  CHECK(Word("<<EOF").expand);
  CHECK_FALSE(Word("<<EOF").chomp);
  CHECK(Word("<<EOF").fd == -1);
  CHECK_FALSE(Word("<<'EOF'").expand);
  CHECK_FALSE(Word("<<\"EOF\"").expand);
  CHECK(Word("<<-EOF").chomp);
  CHECK(Word("<<eo'f'").name == "eof");
  CHECK_FALSE(Word("<<eo'f'").expand);
  CHECK(Word("3<<EOF").fd == 3);
  CHECK(Word("<<  EOF").name == "EOF");
  CHECK(Word("<< -EOF").name == "-EOF");
  CHECK(Word("<<$EOF").name == "$EOF");
  CHECK(Word("<<'one two'").name == "one two");
  CHECK(Word("99999999999999999999<<E").fd == 2147483647);
}

TEST_CASE("ParseHeredocWord: unterminated quotes are errors") {
  for (std::string_view w : {"<<'EOF", "<<\"EOF", "<<EOF'", "<<EOF\""}) {
    INFO(w);
    CHECK_FALSE(ParseHeredocWord(w).has_value());
  }
}

TEST_CASE("ParseHeredocWord: not heredocs") {
  for (std::string_view w : {"", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh", "a<<EOF"}) {
    INFO(w);
    auto heredoc = ParseHeredocWord(w);
    REQUIRE(heredoc.has_value());
    CHECK_FALSE(heredoc->has_value());
  }
}

TEST_CASE("HeredocsFromLine: words of the whole line") {
  CHECK(Names("RUN <<EOF") == std::vector<std::string>{"EOF"});
  CHECK(Names("RUN <<-EOF") == std::vector<std::string>{"EOF"});
  CHECK(Names("RUN <<'EOF'") == std::vector<std::string>{"EOF"});
  CHECK(Names("RUN 4<<EOF") == std::vector<std::string>{"EOF"});
  CHECK(Names("RUN <<EOF <<EOF2") == std::vector<std::string>{"EOF", "EOF2"});
  CHECK(Names("COPY --chmod=755 <<A <<B /dest") == std::vector<std::string>{"A", "B"});
  CHECK(Names("RUN <<EOF python3") == std::vector<std::string>{"EOF"});
  CHECK(Names("RUN '<<EOF'").empty());
  CHECK(Names("RUN \"<<EOF\"").empty());
  CHECK(Names("RUN echo \\<<EOF").empty());
  CHECK(Names("RUN <<  EOF").empty());
  CHECK(Names("RUN echo hi").empty());
  CHECK(Names("RUN echo 'unterminated <<EOF").empty());  // the line does not lex: no heredoc

  auto openers = HeredocsFromLine("COPY <<A 3<<B /d");
  REQUIRE(openers.has_value());
  REQUIRE(openers->size() == 2);
  CHECK((*openers)[0].offset == 5);
  CHECK((*openers)[1].offset == 9);
  CHECK((*openers)[1].heredoc.fd == 3);
  // "<<EOF" inside the word "x<<EOF" is not the opener.
  auto later = HeredocsFromLine("RUN x<<EOF <<EOF");
  REQUIRE(later.has_value());
  REQUIRE(later->size() == 1);
  CHECK((*later)[0].offset == 11);
}

TEST_CASE("ChompHeredocContent strips leading tabs of every line, and only tabs") {
  CHECK(ChompHeredocContent("\thello\n\t\tworld\n") == "hello\nworld\n");
  CHECK(ChompHeredocContent("  a\tb\n\t \tc") == "  a\tb\n \tc");
  CHECK(ChompHeredocContent("").empty());
}

}  // namespace
}  // namespace builder::parser
