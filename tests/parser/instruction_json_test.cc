// DumpInstructionsJson: fixed key order, every kind's fields, nulls, bad UTF-8.
#include "parser/instruction_json.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "fake_ast.h"

namespace builder::parser {
namespace {

using nlohmann::json;
using testing::FakeAst;

Dockerfile Parse(const FakeAst& f) {
  auto r = ParseInstructions(f.ast());
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().ToString()));
  return std::move(*r);
}

std::vector<std::string> Keys(const nlohmann::ordered_json& j) {
  std::vector<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  return out;
}

using Keys_ = std::vector<std::string>;

TEST_CASE("top-level shape, one line with indent -1") {
  FakeAst f;
  f.Add("ARG V=1");
  f.Add("FROM --platform=linux/arm64 alpine AS base");
  f.Add("RUN true");
  Dockerfile df = Parse(f);
  std::string text = DumpInstructionsJson(df, -1);
  CHECK(text.find('\n') == std::string::npos);
  CHECK(text.starts_with(
      R"({"directives":{"syntax":null,"check":null,"escape":"\\"},"warnings":[],"meta_args":[{"kind":"arg","range":{"start":{"line":1,"col":1},"end":{"line":1,"col":7}},"original":"ARG V=1","args":[{"key":"V","value":"1"}]}],"stages":[{"index":0,"name":"base","base":"alpine","platform":"linux/arm64","range":)"));
  CHECK(text.ends_with(
      R"("instructions":[{"kind":"run","range":{"start":{"line":3,"col":1},"end":{"line":3,"col":8}},"original":"RUN true","command":{"args":["true"],"exec_form":false},"heredocs":[],"mounts":[],"network":"default","security":"sandbox"}]}]})"));
  // Deterministic and indented by default.
  CHECK(DumpInstructionsJson(df) == DumpInstructionsJson(df));
  CHECK(DumpInstructionsJson(df).find("\n  \"warnings\": []") != std::string::npos);
}

TEST_CASE("every kind has its fields in a fixed order") {
  FakeAst f;
  f.Add("FROM alpine");
  f.Add("ARG A B=2");
  f.Add("ENV K=v");
  f.Add("LABEL k v");
  f.Add("RUN --mount=type=cache,target=/c --network=none make");
  f.Add(R"(CMD ["a"])");
  f.Add("ENTRYPOINT run");
  f.Add(R"(SHELL ["sh", "-c"])");
  f.Add("WORKDIR /w");
  f.Add("USER u");
  f.Add("COPY --from=b --exclude=x a /d");
  f.Add("ADD --unpack=true a /d");
  f.Add("EXPOSE 80");
  f.Add("VOLUME /v");
  f.Add("HEALTHCHECK --interval=1s CMD true");
  f.Add("STOPSIGNAL 9");
  f.Add("MAINTAINER me");
  f.Add("ONBUILD RUN x");
  auto j = nlohmann::ordered_json::parse(DumpInstructionsJson(Parse(f)));
  const auto& insts = j["stages"][0]["instructions"];
  REQUIRE(insts.size() == 17);
  auto fields = [&](std::size_t i) {
    Keys_ k = Keys(insts[i]);
    REQUIRE(k.size() >= 3);
    CHECK(k[0] == "kind");
    CHECK(k[1] == "range");
    CHECK(k[2] == "original");
    return Keys_(k.begin() + 3, k.end());
  };
  CHECK(fields(0) == Keys_{"args"});
  CHECK(insts[0]["args"][0]["value"].is_null());
  CHECK(insts[0]["args"][1]["value"] == "2");
  CHECK(fields(1) == Keys_{"vars", "legacy_form"});
  CHECK(fields(2) == Keys_{"labels", "legacy_form"});
  CHECK(insts[2]["legacy_form"] == true);
  CHECK(fields(3) == Keys_{"command", "heredocs", "mounts", "network", "security"});
  CHECK(Keys(insts[3]["mounts"][0]) == Keys_{"type", "from", "source", "target", "read_only",
                                             "required", "id", "sharing", "mode", "uid", "gid",
                                             "size", "env"});
  CHECK(insts[3]["mounts"][0]["read_only"] == false);
  CHECK(insts[3]["network"] == "none");
  CHECK(fields(4) == Keys_{"command"});
  CHECK(insts[4]["command"]["exec_form"] == true);
  CHECK(fields(5) == Keys_{"command"});
  CHECK(fields(6) == Keys_{"shell"});
  CHECK(fields(7) == Keys_{"path"});
  CHECK(fields(8) == Keys_{"user"});
  CHECK(fields(9) == Keys_{"sources", "heredocs", "dest", "json_form", "chown", "chmod", "link",
                           "excludes", "from", "parents"});
  CHECK(insts[9]["excludes"] == json::array({"x"}));
  CHECK(fields(10) == Keys_{"sources", "heredocs", "dest", "json_form", "chown", "chmod", "link",
                            "excludes", "checksum", "keep_git_dir", "unpack"});
  CHECK(insts[10]["unpack"] == true);
  CHECK(fields(11) == Keys_{"ports"});
  CHECK(fields(12) == Keys_{"volumes", "json_form"});
  CHECK(fields(13) == Keys_{"none", "command", "interval_ns", "timeout_ns", "start_period_ns",
                            "start_interval_ns", "retries"});
  CHECK(insts[13]["interval_ns"] == 1000000000);
  CHECK(insts[13]["timeout_ns"].is_null());
  CHECK(insts[13]["retries"].is_null());
  CHECK(fields(14) == Keys_{"signal"});
  CHECK(fields(15) == Keys_{"maintainer"});
  CHECK(fields(16) == Keys_{"expression", "trigger"});
  CHECK(insts[16]["trigger"]["kind"] == "run");
  CHECK(insts[16]["trigger"]["range"]["start"]["col"] == 9);
}

TEST_CASE("stage without name; directives and warnings") {
  FakeAst f;
  f.Add("FROM scratch");
  f.ast().directives.syntax = "docker/dockerfile:1";
  f.ast().directives.check = "skip=all";
  f.ast().directives.escape = '`';
  f.ast().warnings.push_back({{3, 1}, "Empty continuation line found in: RUN a"});
  auto j = nlohmann::ordered_json::parse(DumpInstructionsJson(Parse(f)));
  CHECK(j["stages"][0]["name"].is_null());
  CHECK(j["stages"][0]["platform"].is_null());
  CHECK(j["directives"]["syntax"] == "docker/dockerfile:1");
  CHECK(j["directives"]["check"] == "skip=all");
  CHECK(j["directives"]["escape"] == "`");
  CHECK(j["warnings"][0]["line"] == 3);
  CHECK(j["warnings"][0]["message"] == "Empty continuation line found in: RUN a");
}

TEST_CASE("invalid UTF-8 is replaced, not thrown") {
  FakeAst f;
  f.Add("FROM scratch");
  f.Add("USER \xff\xfe");
  std::string text = DumpInstructionsJson(Parse(f), -1);
  CHECK(text.find("\"user\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"") != std::string::npos);
}

}  // namespace
}  // namespace builder::parser
