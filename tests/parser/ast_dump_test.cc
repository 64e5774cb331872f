// Tests for DumpAst: every case of BuildKit's parser corpus, byte for byte, plus the negative
// cases, the line-range case and dump details the corpus does not reach.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "parser/ast.h"
#include "support/conformance.h"

namespace builder::parser {
namespace {

const std::filesystem::path kCorpus = BUILDER_CONFORMANCE_DIR "/buildkit-parser/parser";

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.is_open(), "missing conformance file: " << path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::filesystem::path> CaseDirs(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> dirs;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::string Dump(std::string_view dockerfile) {
  auto ast = ParseDockerfile(dockerfile, "Dockerfile");
  REQUIRE_MESSAGE(ast.has_value(), ast.error().Describe());
  return DumpAst(*ast);
}

TEST_CASE("corpus: every testfiles case dumps exactly as BuildKit's result") {
  BUILDER_NEED_CONFORMANCE(kCorpus / "testfiles");
  const auto dirs = CaseDirs(kCorpus / "testfiles");
  CHECK(dirs.size() == 33);
  int passed = 0;
  for (const auto& dir : dirs) {
    INFO("case " << dir.filename().string());
    const std::string dockerfile = ReadAll(dir / "Dockerfile");
    const std::string expected = ReadAll(dir / "result");
    auto ast = ParseDockerfile(dockerfile, (dir / "Dockerfile").string());
    REQUIRE_MESSAGE(ast.has_value(), ast.error().Describe());
    CHECK(DumpAst(*ast) == expected);
    if (DumpAst(*ast) == expected) ++passed;
  }
  CHECK(passed == 33);
}

TEST_CASE("corpus: every testfiles-negative case fails with a located error") {
  BUILDER_NEED_CONFORMANCE(kCorpus / "testfiles-negative");
  struct Expected {
    std::string name;
    std::string message;
    int line;
    int col;
  };
  const std::vector<Expected> cases = {
      {"empty_dockerfile", "file with no instructions", 1, 1},
      {"env_no_value", "ENV must have two arguments", 3, 5},
      {"only_comments", "file with no instructions", 3, 1},
      {"shykes-nested-json",
       "when using JSON array syntax, arrays must be comprised of strings only", 1, 15},
  };
  CHECK(CaseDirs(kCorpus / "testfiles-negative").size() == cases.size());
  for (const auto& c : cases) {
    INFO("case " << c.name);
    const auto path = kCorpus / "testfiles-negative" / c.name / "Dockerfile";
    auto ast = ParseDockerfile(ReadAll(path), path.string());
    REQUIRE_FALSE(ast.has_value());
    CHECK(ast.error().code() == ErrorCode::kParse);
    CHECK(ast.error().message() == c.message);
    CHECK(ast.error().location().file == path.string());
    CHECK(ast.error().location().line == c.line);
    CHECK(ast.error().location().col == c.col);
  }
}

TEST_CASE("corpus: testfile-line instruction ranges") {
  BUILDER_NEED_CONFORMANCE(kCorpus / "testfile-line");
  auto ast = ParseDockerfile(ReadAll(kCorpus / "testfile-line" / "Dockerfile"), "Dockerfile");
  REQUIRE(ast.has_value());
  REQUIRE(ast->children.size() == 3);
  CHECK(ast->children[0].range.start.line == 5);
  CHECK(ast->children[0].range.end.line == 5);
  CHECK(ast->children[1].range.start.line == 11);
  CHECK(ast->children[1].range.end.line == 12);
  CHECK(ast->children[2].range.start.line == 17);
  CHECK(ast->children[2].range.end.line == 31);
  CHECK(ast->directives.escape == '\\');
  CHECK(ast->directives.escape_pos.has_value());
  // Blank lines inside the RUN continuation are skipped with one warning for the instruction.
  REQUIRE(ast->warnings.size() == 1);
  CHECK(ast->warnings[0].pos.line == 19);
}

TEST_CASE("DumpAst: unknown keywords, empty JSON, flags and ONBUILD") {
  CHECK(Dump("FROM a\nFOO bar baz\n") == "(from \"a\")\n(foo \"\")\n");
  CHECK(Dump("FROM a\nfoo --x=1 bar\n") == "(from \"a\")\n(foo [\"--x=1\"] \"\")\n");
  CHECK(Dump("CMD []\n") == "(cmd)\n");
  CHECK(Dump("ONBUILD RUN echo hi\n") == "(onbuild (run \"echo hi\"))\n");
  CHECK(Dump("ONBUILD --x RUN [\"a\"]\n") == "(onbuild [\"--x\"] (run \"a\"))\n");
  CHECK(Dump("ONBUILD ONBUILD COPY . /\n") == "(onbuild (onbuild (copy \".\" \"/\")))\n");
  CHECK(Dump("ONBUILD\n") == "(onbuild)\n");
  CHECK(Dump("\\\n") == "(\"\")\n");
  CHECK(Dump("RUN printf '\\x00' \"\xff\" \xe2\x99\xa5\n") ==
        "(run \"printf '\\\\x00' \\\"\\xff\\\" \xe2\x99\xa5\")\n");
  CHECK(Dump("RUN [\"a\\u0000b\", \"\\ud83d\\ude00\"]\n") ==
        "(run \"a\\x00b\" \"\xf0\x9f\x98\x80\")\n");
  CHECK(Dump("COPY --chown=\"a b\" --x='c' -- --not-a-flag /d\n") ==
        "(copy [\"--chown=a b\" \"--x=c\"] \"--not-a-flag\" \"/d\")\n");
}

TEST_CASE("DumpAst: instructions the corpus does not cover") {
  CHECK(Dump("SHELL [\"powershell\", \"-command\"]\n") == "(shell \"powershell\" \"-command\")\n");
  CHECK(Dump("SHELL /bin/sh -c\n") == "(shell \"/bin/sh -c\")\n");
  CHECK(Dump("STOPSIGNAL SIGKILL\n") == "(stopsignal \"SIGKILL\")\n");
  CHECK(Dump("MAINTAINER Jane Doe <j@x>\n") == "(maintainer \"Jane Doe <j@x>\")\n");
  CHECK(Dump("ARG\nEXPOSE\nLABEL\nENV\nUSER\nVOLUME\n") ==
        "(arg)\n(expose)\n(label)\n(env)\n(user)\n(volume)\n");
  CHECK(Dump("HEALTHCHECK NONE\n") == "(healthcheck \"NONE\")\n");
  // Heredoc bodies are never printed.
  CHECK(Dump("RUN <<EOF\nbody\nEOF\nCOPY <<A /a\nx\nA\n") ==
        "(run \"<<EOF\")\n(copy \"<<A\" \"/a\")\n");
  // CRLF and a BOM change nothing in the dump.
  CHECK(Dump("\xEF\xBB\xBF"
             "FROM a\r\nRUN b \\\r\n c\r\n") == "(from \"a\")\n(run \"b  c\")\n");
}

}  // namespace
}  // namespace builder::parser
