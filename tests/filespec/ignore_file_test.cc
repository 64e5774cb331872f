// Reading .dockerignore text, choosing the ignore file, and BuildKit's end-to-end scenarios.
#include "filespec/ignore_file.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "filespec/pattern_matcher.h"

namespace builder::filespec {
namespace {

namespace fs = std::filesystem;
using Patterns = std::vector<std::string>;

Patterns Read(std::string_view text) {
  auto r = ReadIgnorePatterns(text);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().ToString()));
  return *r;
}

// A scratch directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ignore_file_test.XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string Write(const std::string& rel, const std::string& content) const {
    fs::path p = path_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  fs::path path_;
};

TEST_CASE("ReadIgnorePatterns: the reference file") {
  const char* content =
      "alpha\n"
      "/beta\n"
      "/x/y/z\n"
      "\n"
      "omega\n"
      "# a comment\n"
      "! /neg/abs/path\n"
      "!\n"
      "! ";
  CHECK(Read(content) == Patterns{"alpha", "beta", "x/y/z", "omega", "!neg/abs/path", "!", "!"});
}

TEST_CASE("ReadIgnorePatterns: lines, comments and whitespace") {
  CHECK(Read("").empty());
  CHECK(Read("\n\n   \n\t\n").empty());
  CHECK(Read("# only a comment\n#another").empty());
  CHECK(Read("  #x") == Patterns{"#x"});           // '#' counts only in column 0
  CHECK(Read(" # spaced") == Patterns{"# spaced"});
  CHECK(Read("a#b") == Patterns{"a#b"});
  CHECK(Read("no-newline") == Patterns{"no-newline"});
  CHECK(Read("a\r\nb\r\n") == Patterns{"a", "b"});  // CRLF
  CHECK(Read("\tfoo \t\n") == Patterns{"foo"});
  CHECK(Read("\xC2\xA0wide\xE3\x80\x80") == Patterns{"wide"});  // Unicode spaces trim too
  CHECK(Read("! \tbar") == Patterns{"!bar"});
  CHECK(Read("!!x") == Patterns{"!!x"});
}

TEST_CASE("ReadIgnorePatterns: byte order mark") {
  CHECK(Read("\xEF\xBB\xBF" "foo\nbar") == Patterns{"foo", "bar"});
  CHECK(Read("\xEF\xBB\xBF# comment\nbar") == Patterns{"bar"});
  // Only the first line's BOM is stripped, and U+FEFF is not white space.
  CHECK(Read("a\n\xEF\xBB\xBF" "b") == Patterns{"a", "\xEF\xBB\xBF" "b"});
}

TEST_CASE("ReadIgnorePatterns: paths are cleaned and made relative") {
  CHECK(Read("a/../b") == Patterns{"b"});
  CHECK(Read("./a") == Patterns{"a"});
  CHECK(Read("a//b/./c/") == Patterns{"a/b/c"});
  CHECK(Read("/a/file/here") == Patterns{"a/file/here"});
  CHECK(Read("! /inverted/abs/path") == Patterns{"!inverted/abs/path"});
  CHECK(Read("!./x/../y") == Patterns{"!y"});
  CHECK(Read("/../up") == Patterns{"up"});    // ".." cannot climb above the root
  CHECK(Read("../up") == Patterns{"../up"});  // but stays in a relative path
  CHECK(Read("a/..") == Patterns{"."});
  CHECK(Read("/") == Patterns{"/"});
  CHECK(Read("!/") == Patterns{"!/"});
  CHECK(Read("//x") == Patterns{"x"});
}

TEST_CASE("ReadIgnorePatterns: a line too long for Go's scanner is an error") {
  CHECK(ReadIgnorePatterns(std::string(65535, 'a') + "\nb").has_value());
  auto r = ReadIgnorePatterns("a\n" + std::string(65536, 'b'));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message().find("token too long") != std::string::npos);
}

TEST_CASE("LocateIgnoreFile: precedence") {
  TempDir dir;
  const std::string ctx = dir.path().string();
  const std::string dockerfile = dir.Write("Dockerfile", "FROM scratch\n");
  const std::string dockerfile2 = dir.Write("Dockerfile2", "FROM scratch\n");

  auto locate = [&](const std::string& df) {
    auto r = LocateIgnoreFile(ctx, df);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().ToString()));
    return *r;
  };

  CHECK(locate(dockerfile) == std::nullopt);
  CHECK(locate("") == std::nullopt);

  const std::string shared = dir.Write(".dockerignore", "x\n");
  CHECK(locate(dockerfile) == shared);
  CHECK(locate("") == shared);
  CHECK(locate("-") == shared);
  CHECK(LocateIgnoreFile(ctx + "/", dockerfile).value() == shared);

  const std::string own = dir.Write("Dockerfile.dockerignore", "y\n");
  CHECK(locate(dockerfile) == own);
  CHECK(locate(dockerfile2) == shared);  // another Dockerfile's ignore file does not apply

  const std::string own2 = dir.Write("Dockerfile2.dockerignore", "z\n");
  CHECK(locate(dockerfile2) == own2);

  // A Dockerfile elsewhere brings its ignore file along.
  const std::string nested = dir.Write("build/app.Dockerfile", "FROM scratch\n");
  CHECK(locate(nested) == shared);
  const std::string nested_own = dir.Write("build/app.Dockerfile.dockerignore", "w\n");
  CHECK(locate(nested) == nested_own);
}

TEST_CASE("LocateIgnoreFile: a directory in the way is an error") {
  TempDir dir;
  fs::create_directories(dir.path() / ".dockerignore");
  auto r = LocateIgnoreFile(dir.path().string(), "");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message().find("not a regular file") != std::string::npos);
  // A missing context is simply "no ignore file".
  CHECK(LocateIgnoreFile((dir.path() / "nope").string(), "").value() == std::nullopt);
}

// Everything in a flat context that survives the ignore file.
std::vector<std::string> Kept(const std::string& ignore_text, const std::vector<std::string>& files) {
  auto patterns = ReadIgnorePatterns(ignore_text);
  REQUIRE(patterns.has_value());
  auto pm = PatternMatcher::Create(*patterns);
  REQUIRE(pm.has_value());
  std::vector<std::string> kept;
  for (const std::string& f : files) {
    auto r = pm->MatchesOrParentMatches(f);
    REQUIRE(r.has_value());
    if (!*r) kept.push_back(f);
  }
  return kept;
}

TEST_CASE("BuildKit scenario: testDockerignore") {
  const std::vector<std::string> files = {"foo", "bar", "baz", "bay", "Dockerfile", ".dockerignore"};
  CHECK(Kept("ba*\nDockerfile\n!bay\n.dockerignore\n", files) == std::vector<std::string>{"foo", "bay"});
}

TEST_CASE("BuildKit scenario: testDockerignoreInvalid") {
  auto patterns = ReadIgnorePatterns("!\n");
  REQUIRE(patterns.has_value());
  auto pm = PatternMatcher::Create(*patterns);
  REQUIRE_FALSE(pm.has_value());
  CHECK(pm.error().message() == "illegal exclusion pattern: \"!\"");
}

TEST_CASE("BuildKit scenario: testDockerignoreOverride") {
  TempDir dir;
  const std::string ctx = dir.path().string();
  dir.Write("foo", "foo-contents");
  dir.Write("bar", "bar-contents");
  const std::string df = dir.Write("Dockerfile", "FROM scratch\nCOPY . .\n");
  const std::string df2 = dir.Write("Dockerfile2", "FROM scratch\nCOPY . .\n");
  dir.Write("Dockerfile.dockerignore", "bar\n");
  dir.Write("Dockerfile2.dockerignore", "foo\n");

  auto kept_for = [&](const std::string& dockerfile) {
    auto path = LocateIgnoreFile(ctx, dockerfile);
    REQUIRE(path.has_value());
    REQUIRE(path->has_value());
    auto patterns = ReadIgnoreFile(**path);
    REQUIRE(patterns.has_value());
    auto pm = PatternMatcher::Create(*patterns);
    REQUIRE(pm.has_value());
    std::vector<std::string> kept;
    for (const char* f : {"foo", "bar"})
      if (!pm->MatchesOrParentMatches(f).value()) kept.push_back(f);
    return kept;
  };
  CHECK(kept_for(df) == std::vector<std::string>{"foo"});
  CHECK(kept_for(df2) == std::vector<std::string>{"bar"});
}

TEST_CASE("ReadIgnoreFile: errors name the file") {
  auto r = ReadIgnoreFile("/nonexistent/dir/.dockerignore");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::kIo);
  CHECK(r.error().message().find("/nonexistent/dir/.dockerignore") != std::string::npos);
}

}  // namespace
}  // namespace builder::filespec
