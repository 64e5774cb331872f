// Tests for ShapeLine and its helpers: keyword split, flags, and each instruction's argument
// shape, with the offsets used for error positions.
#include "parser/arg_shaper.h"

#include <doctest/doctest.h>

namespace builder::parser {
namespace {

using Args = std::vector<std::string>;

ShapedLine Shape(std::string_view line, char escape = '\\') {
  auto shaped = ShapeLine(line, escape);
  REQUIRE_MESSAGE(shaped.has_value(), shaped.error().message);
  return *shaped;
}

ShapeError ShapeFails(std::string_view line) {
  auto shaped = ShapeLine(line, '\\');
  REQUIRE_FALSE(shaped.has_value());
  return shaped.error();
}

TEST_CASE("keyword: lower-cased, split at [\\t\\v\\f\\r ]") {
  auto s = Shape("  FrOm\t\tbusybox  ");
  CHECK(s.keyword == "from");
  CHECK(s.keyword_offset == 2);
  CHECK(s.args == Args{"busybox"});
  CHECK(s.args_offset == 8);
  CHECK(s.known);
  CHECK(Shape("WORKDIR").args.empty());
  CHECK_FALSE(Shape("bogus x").known);
  CHECK(Shape("bogus x").args == Args{""});
}

TEST_CASE("flags: any instruction, quotes removed, -- ends them") {
  auto s = Shape("COPY --from=build --chown=\"a b\" src dst");
  CHECK(s.flags == Args{"--from=build", "--chown=a b"});
  CHECK(s.flag_offsets == std::vector<std::size_t>{5, 18});
  CHECK(s.args == Args{"src", "dst"});
  CHECK(s.args_offset == 32);
  CHECK(Shape("CMD --doit [ \"a\", \"b\" ]").flags == Args{"--doit"});
  CHECK(Shape("CMD --doit [ \"a\", \"b\" ]").args == Args{"a", "b"});
  CHECK(Shape("RUN -- --x").flags.empty());
  CHECK(Shape("RUN -- --x").args == Args{"--x"});
  CHECK(Shape("RUN --a -b").args == Args{"-b"});
  CHECK(Shape("RUN --a --").args.empty());
  CHECK(Shape("RUN --x='' y").flags == Args{"--x="});
  CHECK(Shape("RUN --x=a\\ b y").flags == Args{"--x=a b"});
  CHECK(Shape("RUN --x=\xc3\xa9 y").flags == Args{"--x=\xc3\xa9"});  // bytes kept as written
}

TEST_CASE("ExtractFlags: returns where the rest starts") {
  Args flags;
  std::vector<std::size_t> offsets;
  CHECK(ExtractFlags("  --a  b", &flags, &offsets) == 7);
  CHECK(flags == Args{"--a"});
  CHECK(offsets == std::vector<std::size_t>{2});
}

TEST_CASE("shell or JSON form: RUN CMD ENTRYPOINT SHELL") {
  CHECK(Shape("RUN echo  \"a b\"  ").args == Args{"echo  \"a b\""});
  CHECK_FALSE(Shape("RUN echo").json_form);
  auto json = Shape("ENTRYPOINT [\"sh\", \"-c\"]");
  CHECK(json.json_form);
  CHECK(json.args == Args{"sh", "-c"});
  CHECK(Shape("CMD ['a']").args == Args{"['a']"});
  CHECK(Shape("SHELL [\"a\"").args == Args{"[\"a\""});
  auto e = ShapeFails("CMD [\"a\", 1]");
  CHECK(e.offset == 10);
  CHECK(e.message == "when using JSON array syntax, arrays must be comprised of strings only");
}

TEST_CASE("list form: ADD COPY VOLUME split on whitespace, quotes kept") {
  CHECK(Shape("COPY \"a b\"\tc").args == Args{"\"a", "b\"", "c"});
  CHECK(Shape("VOLUME [\"/a\", \"/b\"]").args == Args{"/a", "/b"});
  CHECK(Shape("VOLUME [\"/a\", \"/b\"]").json_form);
  CHECK(Shape("ADD [\"a\" b").args == Args{"[\"a\"", "b"});
  CHECK(Shape("EXPOSE 80  443/udp").args == Args{"80", "443/udp"});
}

TEST_CASE("one string: USER WORKDIR MAINTAINER STOPSIGNAL") {
  CHECK(Shape("USER  a b ").args == Args{"a b"});
  CHECK(Shape("STOPSIGNAL SIGKILL").args == Args{"SIGKILL"});
  CHECK(Shape("MAINTAINER Me <me@x>").args == Args{"Me <me@x>"});
}

TEST_CASE("ENV and LABEL: triples, legacy form, errors") {
  CHECK(Shape("ENV a=b c=\"d e\"").args == Args{"a", "b", "=", "c", "\"d e\"", "="});
  CHECK(Shape("ENV a b  c").args == Args{"a", "b  c", ""});
  CHECK(Shape("LABEL \"k x\"=v").args == Args{"\"k x\"", "v", "="});
  CHECK(Shape("ENV a=b\\ c").args == Args{"a", "b\\ c", "="});
  CHECK(Shape("ENV a=b`\" c=d", '`').args == Args{"a", "b`\"", "=", "c", "d", "="});
  CHECK(Shape("ENV").args.empty());
  auto legacy = ShapeFails("ENV PATH");
  CHECK(legacy.message == "ENV must have two arguments");
  CHECK(legacy.offset == 4);
  CHECK(ShapeFails("LABEL x").message == "LABEL must have two arguments");
  auto no_eq = ShapeFails("ENV a=1 b");
  CHECK(no_eq.message == "Syntax error - can't find = in \"b\". Must be of the form: name=value");
  CHECK(no_eq.offset == 8);
}

TEST_CASE("ARG: quote-aware words, no split at =") {
  CHECK(Shape("ARG abc=\"123 456\" def").args == Args{"abc=\"123 456\"", "def"});
}

TEST_CASE("HEALTHCHECK: type word then shell or JSON") {
  CHECK(Shape("HEALTHCHECK").args.empty());
  CHECK(Shape("HEALTHCHECK NONE").args == Args{"NONE"});
  CHECK(Shape("HEALTHCHECK --interval=5s CMD  a b").args == Args{"CMD", "a b"});
  auto json = Shape("HEALTHCHECK CMD [\"x\"]");
  CHECK(json.args == Args{"CMD", "x"});
  CHECK(json.json_form);
}

TEST_CASE("ONBUILD: the rest is the nested instruction") {
  auto s = Shape("ONBUILD --x  RUN a");
  CHECK(s.has_sub);
  CHECK(s.rest == "RUN a");
  CHECK(s.rest_offset == 13);
  CHECK(s.args.empty());
  CHECK_FALSE(Shape("ONBUILD").has_sub);
}

TEST_CASE("SplitQuotedWords: BuildKit's parseWords") {
  auto texts = [](std::string_view rest, char escape = '\\') {
    Args out;
    for (auto& w : SplitQuotedWords(rest, escape)) out.push_back(w.text);
    return out;
  };
  CHECK(texts("a  b\tc") == Args{"a", "b", "c"});
  CHECK(texts("a=\"x y\" 'p q'") == Args{"a=\"x y\"", "'p q'"});
  CHECK(texts("a\\ b") == Args{"a\\ b"});
  CHECK(texts("a\\") == Args{"a"});                 // a trailing escape is dropped
  CHECK(texts("'a\\' b'") == Args{"'a\\'", "b'"});  // no escapes inside single quotes
  CHECK(texts("\"a\\\" b\"") == Args{"\"a\\\" b\""});
  CHECK(texts("a`  b", '`') == Args{"a` ", "b"});
  CHECK(texts("x\xff") == Args{"x\xef\xbf\xbd"});  // invalid UTF-8 becomes U+FFFD, as in Go
  CHECK(texts("a\xc2\xa0"
              "b") == Args{"a", "b"});  // NBSP separates (unicode.IsSpace)
  // BuildKit's TestParseWords.
  CHECK(texts("foo") == Args{"foo"});
  CHECK(texts("foo bar") == Args{"foo", "bar"});
  CHECK(texts("foo\\ bar") == Args{"foo\\ bar"});
  CHECK(texts("foo=bar") == Args{"foo=bar"});
  CHECK(texts("foo bar 'abc xyz'") == Args{"foo", "bar", "'abc xyz'"});
  CHECK(texts("foo bar \"abc xyz\"") == Args{"foo", "bar", "\"abc xyz\""});
  CHECK(texts("\xc3\xa0\xc3\xb6\xc3\xbb") == Args{"\xc3\xa0\xc3\xb6\xc3\xbb"});
  CHECK(texts("f\xc3\xb6o b\xc3\xa0r \"\xc3\xa2"
              "bc x\xc3\xbfz\"") == Args{"f\xc3\xb6o", "b\xc3\xa0r",
                                         "\"\xc3\xa2"
                                         "bc x\xc3\xbfz\""});
  auto words = SplitQuotedWords("  ab  cd", '\\');
  REQUIRE(words.size() == 2);
  CHECK(words[0].offset == 2);
  CHECK(words[1].offset == 6);
}

}  // namespace
}  // namespace builder::parser
