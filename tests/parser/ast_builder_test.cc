// Tests for ParseDockerfile: line handling (BOM, CRLF, comments, continuations, directives),
// node fields and positions, heredoc bodies, located errors, and big or hostile input.
#include <doctest/doctest.h>

#include <string>

#include "parser/ast.h"

namespace builder::parser {
namespace {

Ast Parse(std::string_view content) {
  auto ast = ParseDockerfile(content, "Dockerfile");
  REQUIRE_MESSAGE(ast.has_value(), ast.error().Describe());
  return std::move(*ast);
}

Error ParseError(std::string_view content) {
  auto ast = ParseDockerfile(content, "Dockerfile");
  REQUIRE_FALSE(ast.has_value());
  return ast.error();
}

std::string Where(const Error& e) {
  return std::to_string(e.location().line) + ":" + std::to_string(e.location().col);
}

TEST_CASE("keywords are case-insensitive; comments and blank lines are dropped") {
  const Ast ast = Parse("# comment\n\nfrom a\n  # indented comment\n\tRuN x # not a comment\n");
  REQUIRE(ast.children.size() == 2);
  CHECK(ast.children[0].keyword == "from");
  CHECK(ast.children[1].keyword == "run");
  CHECK(ast.children[1].args == std::vector<std::string>{"x # not a comment"});
  CHECK(ast.children[1].range.start.line == 5);
  CHECK(ast.children[1].range.start.col == 2);
  CHECK(ast.lines.size() == 5);
}

TEST_CASE("continuations: comments skipped, blanks warned, indentation kept") {
  const Ast ast = Parse("RUN a \\\n# c\n  b \\\n\n \t\n  c\nRUN d \\");
  REQUIRE(ast.children.size() == 2);
  const Node& run = ast.children[0];
  CHECK(run.original == "RUN a   b   c");
  CHECK(run.args == std::vector<std::string>{"a   b   c"});
  CHECK(run.range.start.line == 1);
  CHECK(run.range.end.line == 6);
  CHECK(run.range.end.col == 3);
  REQUIRE(ast.warnings.size() == 1);
  CHECK(ast.warnings[0].pos.line == 4);
  // A continuation at EOF just ends the instruction.
  CHECK(ast.children[1].args == std::vector<std::string>{"d"});
  CHECK(ast.children[1].range.end.line == 7);
}

// BuildKit's TestParseWarnsOnEmptyContinutationLine: comments inside a continuation are not
// empty lines; each instruction with blank continuation lines warns once.
TEST_CASE("warnings for empty continuation lines") {
  const Ast ast = Parse(
      "\nFROM alpine:3.6\n\nRUN something \\\n\n    following \\\n\n    more\n\n"
      "RUN another \\\n\n    thing\nRUN non-indented \\\n# this is a comment\n   after-comment\n\n"
      "RUN indented \\\n    # this is an indented comment\n    comment\n\t");
  REQUIRE(ast.children.size() == 5);
  REQUIRE(ast.warnings.size() == 2);
  CHECK(ast.warnings[0].pos.line == 5);
  CHECK(ast.warnings[0].message.starts_with(
      "Empty continuation line found in: RUN something     following     more"));
  CHECK(ast.warnings[0].message.ends_with("will become errors in a future release)"));
  CHECK(ast.warnings[1].pos.line == 11);
  CHECK(ast.warnings[1].message.find("RUN another     thing") != std::string::npos);
  CHECK(ast.children[3].args == std::vector<std::string>{"non-indented    after-comment"});
}

TEST_CASE("an escaped escape character does not continue the line") {
  const Ast ast = Parse("RUN foo\\\\\nRUN bar\n");
  REQUIRE(ast.children.size() == 2);
  CHECK(ast.children[0].args == std::vector<std::string>{"foo\\\\"});
}

TEST_CASE("BOM and CRLF") {
  const std::string lf = "FROM a\nRUN b \\\n  c\nCMD [\"x\"]\n";
  std::string crlf;
  for (char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(DumpAst(Parse(crlf)) == DumpAst(Parse(lf)));
  const Ast bom = Parse(
      "\xEF\xBB\xBF"
      "FROM a\n");
  CHECK(bom.children[0].keyword == "from");
  CHECK(bom.children[0].range.start.col == 1);
  CHECK(bom.lines[0] == "FROM a");
  const Ast bom_directive = Parse("\xEF\xBB\xBF# escape=`\nRUN a `\n b\n");
  CHECK(bom_directive.directives.escape == '`');
  CHECK(bom_directive.children[0].args == std::vector<std::string>{"a  b"});
}

TEST_CASE("directives: escape changes continuations; later ones are plain comments") {
  const Ast ast = Parse(
      "# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=all\n"
      "FROM a\nRUN dir c:\\ `\n  x\n");
  CHECK(ast.directives.syntax == "docker/dockerfile:1");
  CHECK(ast.directives.check == "skip=all");
  CHECK(ast.directives.escape == '`');
  CHECK(ast.children[1].args == std::vector<std::string>{"dir c:\\   x"});

  const Ast late = Parse("# hello\n# escape=`\nRUN a `\n");
  CHECK(late.directives.escape == '\\');
  CHECK(late.children[0].args == std::vector<std::string>{"a `"});

  const Ast after_blank = Parse("\n# escape=`\nRUN a\n");
  CHECK(after_blank.directives.escape == '\\');
}

TEST_CASE("directives after a shebang: syntax and check yes, escape no (as in BuildKit)") {
  const Ast ast = Parse(
      "#!/usr/bin/env buildctl\n# syntax = dockerfile:experimental // opts\n"
      "# check=skip=all\n# escape=`\nFROM a\n");
  CHECK(ast.directives.syntax == "dockerfile:experimental // opts");
  CHECK(ast.directives.check == "skip=all");
  CHECK(ast.directives.escape == '\\');
  CHECK_FALSE(Parse("#!/bin/sh\n\n# syntax=x\nFROM a\n").directives.syntax.has_value());
  CHECK_FALSE(Parse("# a\n# syntax=x\nFROM a\n").directives.syntax.has_value());
}

TEST_CASE("directive errors are located") {
  const Error repeated = ParseError("# escape=`\n# syntax=a\n#ESCAPE=\\\nFROM a\n");
  CHECK(repeated.message() == "only one escape parser directive can be used");
  CHECK(Where(repeated) == "3:2");
  const Error bad = ParseError("# escape=x\nFROM a\n");
  CHECK(bad.message() == "invalid escape token 'x' does not match ` or \\");
  CHECK(Where(bad) == "1:10");
  CHECK(bad.Describe() ==
        "Dockerfile:1:10: invalid escape token 'x' does not match ` or \\\n"
        "  # escape=x\n"
        "           ^");
}

TEST_CASE("node fields: flags, positions, JSON form, original") {
  const Ast ast = Parse("FROM a\n  COPY --from=b \\\n   --chown=1 src /dst\n");
  const Node& copy = ast.children[1];
  CHECK(copy.flags == std::vector<std::string>{"--from=b", "--chown=1"});
  REQUIRE(copy.flag_pos.size() == 2);
  CHECK(copy.flag_pos[0].line == 2);
  CHECK(copy.flag_pos[0].col == 8);
  CHECK(copy.flag_pos[1].line == 3);
  CHECK(copy.flag_pos[1].col == 4);
  CHECK(copy.args_pos.line == 3);
  CHECK(copy.args_pos.col == 14);
  CHECK(copy.range.start.col == 3);
  CHECK(copy.range.end.line == 3);
  CHECK(copy.range.end.col == 21);
  CHECK_FALSE(copy.json_form);
  CHECK(Parse("CMD [\"a\"]\n").children[0].json_form);
}

// BuildKit's heredoc extraction table (parser_heredoc_test.go), checked field by field.
TEST_CASE("heredocs: bodies, chomp, expand, fd, several per line") {
  const Ast ast = Parse(
      "FROM alpine\n"
      "USER <<INVALID\n"
      "INVALID\n"
      "RUN <<EMPTY\nEMPTY\n"
      "RUN 3<<EMPTY2\nEMPTY2\n"
      "RUN \"<<NOHEREDOC\"\n"
      "RUN <<INDENT\n\tfoo\n\tbar\nINDENT\n"
      "RUN <<-UNINDENT\n\tbaz\n\tquux\n\tUNINDENT\n"
      "RUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND\n"
      "RUN <<COMMENT\n# internal comment\necho foo # trailing\n\nCOMMENT\n"
      "RUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n"
      "COPY <<X <<Y /dest\nY\nX\nX\nY\n"
      "RUN [\"<<EOF\"]\n");
  const auto& c = ast.children;
  REQUIRE(c.size() == 13);
  CHECK(c[1].heredocs.empty());      // USER takes no heredoc...
  CHECK(c[2].keyword == "invalid");  // ...so its "terminator" is an (unknown) instruction
  REQUIRE(c[3].heredocs.size() == 1);
  CHECK(c[3].heredocs[0].name == "EMPTY");
  CHECK(c[3].heredocs[0].content.empty());
  CHECK(c[3].heredocs[0].expand);
  CHECK(c[3].range.end.line == 5);
  CHECK(c[4].heredocs[0].fd == 3);
  CHECK(c[5].heredocs.empty());
  CHECK(c[6].heredocs[0].content == "\tfoo\n\tbar\n");
  CHECK_FALSE(c[6].heredocs[0].chomp);
  CHECK(c[7].heredocs[0].content == "\tbaz\n\tquux\n");
  CHECK(c[7].heredocs[0].chomp);
  CHECK(c[8].heredocs[0].name == "NOEXPAND");
  CHECK_FALSE(c[8].heredocs[0].expand);
  CHECK(c[8].heredocs[0].content == "\tdon't expand $NAME\n");
  CHECK(c[9].heredocs[0].content == "# internal comment\necho foo # trailing\n\n");
  CHECK(c[10].heredocs[0].content == "echo hello\n");
  CHECK(c[10].flags == std::vector<std::string>{"--mount=type=cache,target=/foo"});
  REQUIRE(c[11].heredocs.size() == 2);
  CHECK(c[11].heredocs[0].name == "X");
  CHECK(c[11].heredocs[0].content == "Y\n");
  CHECK(c[11].heredocs[1].name == "Y");
  CHECK(c[11].heredocs[1].content == "X\n");
  CHECK(c[11].heredocs[1].pos.line == 28);
  CHECK(c[11].heredocs[1].pos.col == 10);
  CHECK(c[11].range.start.line == 28);
  CHECK(c[11].range.end.line == 32);
  CHECK(c[11].args == std::vector<std::string>{"<<X", "<<Y", "/dest"});
  CHECK(c[12].heredocs.empty());
  CHECK(DumpAst(ast).find("(run \"<<EMPTY\")\n") != std::string::npos);
}

TEST_CASE("heredocs: CRLF bodies keep their CR as BuildKit does; ONBUILD goes one level down") {
  const Ast crlf = Parse("RUN <<EOF\r\necho hi\r\nEOF\r\n");
  REQUIRE(crlf.children[0].heredocs.size() == 1);
  CHECK(crlf.children[0].heredocs[0].content == "echo hi\r\n");
  const Ast onbuild = Parse("ONBUILD RUN <<EOF\nx\nEOF\nFROM a\n");
  REQUIRE(onbuild.children.size() == 2);
  REQUIRE(onbuild.children[0].sub);
  REQUIRE(onbuild.children[0].sub->heredocs.size() == 1);
  CHECK(onbuild.children[0].sub->heredocs[0].content == "x\n");
  CHECK(onbuild.children[0].range.end.line == 3);
  CHECK(onbuild.children[0].sub->range.start.col == 9);
}

TEST_CASE("located errors") {
  const Error unterminated = ParseError("FROM a\nRUN cat <<EOF >x\nabc\n");
  CHECK(unterminated.message().starts_with("unterminated heredoc"));
  CHECK(Where(unterminated) == "2:9");
  const Error second = ParseError("COPY <<A <<B /d\nA\nb\n");
  CHECK(Where(second) == "1:10");
  const Error empty = ParseError("");
  CHECK(empty.message() == "file with no instructions");
  CHECK(Where(empty) == "1:1");
  CHECK(ParseError("# only\n\n  # comments\n").message() == "file with no instructions");
  const Error env = ParseError("FROM a\nENV  PATH\n");
  CHECK(env.message() == "ENV must have two arguments");
  CHECK(Where(env) == "2:6");
  const Error eq = ParseError("LABEL a=b \\\n  c\n");
  CHECK(eq.message() == "Syntax error - can't find = in \"c\". Must be of the form: name=value");
  CHECK(Where(eq) == "2:3");
  const Error nested = ParseError("FROM a\nCMD [\"a\", {\"b\": 1}]\n");
  CHECK(Where(nested) == "2:11");
  const Error too_long = ParseError("FROM a\nRUN " + std::string(70000, 'x') + "\n");
  CHECK(too_long.message() == "dockerfile line greater than max allowed size of 65535");
  CHECK(Where(too_long) == "2:1");
  // BuildKit's TestParseReturnsScannerErrors: exactly 64 KiB of label value is too long.
  const Error label =
      ParseError("\n\t\tFROM image\n\t\tLABEL test=" + std::string(65536, 'a') + "\n");
  CHECK(label.message() == "dockerfile line greater than max allowed size of 65535");
  CHECK(Where(label) == "3:1");
}

TEST_CASE("what is not an error") {
  // A line that does not lex as shell words opens no heredoc (BuildKit ignores the failure).
  CHECK(Parse("RUN <<'EOF\nx\n").children.size() == 2);
  // Invalid JSON is the shell form.
  CHECK(Parse("CMD [\"a\",\n").children[0].args == std::vector<std::string>{"[\"a\","});
  // Unknown instructions are the typed layer's business.
  CHECK(Parse("FOO bar\n").children[0].keyword == "foo");
}

TEST_CASE("hostile input: deep JSON, deep ONBUILD, long continuations, big files") {
  // Past Go's depth limit the array is not JSON, so it is the shell form (one argument).
  const std::string deep = "CMD " + std::string(30000, '[') + std::string(30000, ']') + "\n";
  CHECK(Parse(deep).children[0].args.size() == 1);
  const std::string open = "CMD " + std::string(65000, '[') + "\n";
  CHECK(Parse(open).children[0].args.size() == 1);

  std::string onbuild;
  for (int i = 0; i < 16; ++i) onbuild += "ONBUILD ";
  CHECK(Parse(onbuild + "RUN x\n").children.size() == 1);
  CHECK(ParseError("ONBUILD " + onbuild + "RUN x\n").message() ==
        "ONBUILD instructions nested too deeply");
  std::string chain;
  for (int i = 0; i < 100000; ++i) chain += "ONBUILD \\\n";
  const Error too_deep = ParseError(chain + "RUN x\n");
  CHECK(too_deep.message() == "ONBUILD instructions nested too deeply");

  std::string long_run = "RUN a";
  for (int i = 0; i < 200000; ++i) long_run += " \\\n && b";
  const Ast run = Parse(long_run + "\n");
  REQUIRE(run.children.size() == 1);
  CHECK(run.children[0].range.end.line == 200001);
}

// No timing asserted: the point is that a big file parses in one linear pass without trouble
// (see bench/ for speed); 4 MiB keeps the sanitizer build quick.
TEST_CASE("a 4 MiB Dockerfile") {
  std::string big;
  big.reserve(5 << 20);
  big += "FROM scratch\n";
  while (big.size() < (4u << 20)) {
    big += "RUN echo hello world && make -j4 all \\\n    && install --prefix=/usr/local\n";
    big += "ENV A=1 B=\"two words\" C=3\nCOPY --chown=1:1 [\"src\", \"/dst\"]\n# comment\n\n";
  }
  const Ast ast = Parse(big);
  CHECK(ast.children.size() > 80000);
  CHECK(DumpAst(ast).size() > (2u << 20));
}

}  // namespace
}  // namespace builder::parser
