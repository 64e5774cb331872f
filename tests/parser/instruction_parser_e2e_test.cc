// ParseDockerfile + ParseInstructions end to end on testdata/dockerfiles: real-world files parse
// to the expected typed fields; every error-* case fails with a located message.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "parser/ast.h"
#include "parser/instructions.h"

namespace builder::parser {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

const fs::path kCases = fs::path(BUILDER_TESTDATA_DIR) / "dockerfiles";

std::string ReadCase(const std::string& name) {
  std::ifstream in(kCases / name / "Dockerfile", std::ios::binary);
  REQUIRE_MESSAGE(in.good(), name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<Dockerfile> ParseText(std::string_view text) {
  auto ast = ParseDockerfile(text, "Dockerfile");
  if (!ast) return std::unexpected(ast.error());
  return ParseInstructions(*ast);
}

Dockerfile ParseCase(const std::string& name) {
  auto r = ParseText(ReadCase(name));
  REQUIRE_MESSAGE(r.has_value(), name << ": " << (r ? "" : r.error().ToString()));
  return std::move(*r);
}

template <class T>
const T& At(const Stage& s, std::size_t i) {
  REQUIRE(i < s.instructions.size());
  const T* p = std::get_if<T>(&s.instructions[i]);
  REQUIRE_MESSAGE(p != nullptr,
                  "instruction " << i << " is " << InstructionKind(s.instructions[i]));
  return *p;
}

TEST_CASE("every real-* and parse-* case parses") {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("real-") && !name.starts_with("parse-")) continue;
    auto r = ParseText(ReadCase(name));
    CHECK_MESSAGE(r.has_value(), name << ": " << (r ? "" : r.error().ToString()));
    ++n;
  }
  CHECK(n >= 19);
}

TEST_CASE("every error-* case fails with a located error") {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("error-")) continue;
    auto r = ParseText(ReadCase(name));
    REQUIRE_MESSAGE(!r.has_value(), name);
    CHECK_MESSAGE(r.error().location().line > 0, name);
    CHECK_MESSAGE(r.error().location().col > 0, name);
    CHECK(r.error().location().file == "Dockerfile");
    ++n;
  }
  CHECK(n == 25);
}

TEST_CASE("typed layer errors of the error-* cases") {
  auto err = [](const std::string& name) {
    auto r = ParseText(ReadCase(name));
    REQUIRE_FALSE(r.has_value());
    return r.error().ToString();
  };
  CHECK(err("error-bad-chmod") ==
        "Dockerfile:2:6: invalid chmod parameter: '999'. it should be octal string and between 0 "
        "and 07777");
  CHECK(err("error-bad-duration") == "Dockerfile:2:13: time: missing unit in duration \"5\"");
  CHECK(err("error-bad-expose") == "Dockerfile:2:8: invalid proto: sctpx");
  CHECK(err("error-bad-network") == "Dockerfile:2:5: invalid network mode \"bridge\"");
  CHECK(err("error-bad-platform-flag") ==
        "Dockerfile:1:6: unknown flag: --platfrom (did you mean platform?)");
  CHECK(err("error-copy-missing-argument") ==
        "Dockerfile:2:6: COPY requires at least two arguments, but only one was provided. "
        "Destination could not be determined");
  CHECK(err("error-duplicate-flag") == "Dockerfile:2:16: duplicate flag specified: --chown");
  CHECK(err("error-from-missing-argument") ==
        "Dockerfile:1:1: FROM requires either one or three arguments");
  CHECK(err("error-healthcheck-bad-retries") ==
        "Dockerfile:2:13: --retries cannot be negative (-1)");
  CHECK(err("error-instruction-before-from") ==
        "Dockerfile:1:1: no build stage in current context (RUN comes before the first FROM)");
  CHECK(err("error-malformed-mount") ==
        "Dockerfile:2:5: unsupported mount type \"cachee\" (did you mean cache?)");
  CHECK(err("error-onbuild-from") == "Dockerfile:2:9: FROM isn't allowed as an ONBUILD trigger");
  CHECK(err("error-onbuild-onbuild") ==
        "Dockerfile:2:9: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  CHECK(err("error-shell-not-json") ==
        "Dockerfile:2:7: SHELL requires the arguments to be in JSON form");
  CHECK(err("error-unknown-flag") == "Dockerfile:2:6: unknown flag: --chwon (did you mean chown?)");
  CHECK(err("error-unknown-instruction") ==
        "Dockerfile:2:1: unknown instruction: RUNN (did you mean RUN?)");
}

TEST_CASE("real-go-multistage") {
  Dockerfile df = ParseCase("real-go-multistage");
  CHECK(df.directives.syntax == "docker/dockerfile:1.7");
  REQUIRE(df.meta_args.size() == 1);
  CHECK(df.meta_args[0].args[0].key == "GO_VERSION");
  REQUIRE(df.stages.size() == 2);
  const Stage& build = df.stages[0];
  CHECK(build.name == "build");
  CHECK(build.base == "golang:${GO_VERSION}-alpine");
  CHECK(build.platform == "$BUILDPLATFORM");
  const auto& download = At<RunInst>(build, 1);
  REQUIRE(download.mounts.size() == 3);
  CHECK(download.mounts[0].type == "cache");
  CHECK(download.mounts[0].target == "/go/pkg/mod");
  CHECK(download.mounts[1].source == "go.sum");
  CHECK(download.mounts[1].read_only);
  CHECK(download.command.args == Strings{"go mod download -x"});
  CHECK(download.range.start.line == 5);
  CHECK(download.range.end.line == 8);
  const auto& targets = At<ArgInst>(build, 2);
  REQUIRE(targets.args.size() == 2);
  CHECK(targets.args[1].key == "TARGETARCH");
  const Stage& final_stage = df.stages[1];
  CHECK(final_stage.name == "final");
  const auto& copy = At<CopyInst>(final_stage, 4);
  CHECK(copy.from == "build");
  CHECK(copy.sources == Strings{"/bin/server"});
  CHECK(copy.dest == "/bin/");
  const auto& ep = At<EntrypointInst>(final_stage, 6);
  CHECK(ep.command.exec_form);
  CHECK(ep.command.args == Strings{"/bin/server"});
}

TEST_CASE("real-arg-before-from: HEALTHCHECK durations and ENV pairs") {
  Dockerfile df = ParseCase("real-arg-before-from");
  CHECK(df.meta_args.size() == 3);
  const Stage& s = df.stages[0];
  CHECK(s.name == "runtime");
  const auto& env = At<EnvInst>(s, 2);
  REQUIRE(env.vars.size() == 2);
  CHECK(env.vars[1].key == "PYTHONUNBUFFERED");
  CHECK(env.vars[1].value == "1");
  const auto& copy = At<CopyInst>(s, 6);
  CHECK(copy.chown == "1000:1000");
  const auto& hc = At<HealthcheckInst>(s, 9);
  CHECK(hc.interval == 30 * kSecond);
  CHECK(hc.timeout == 5 * kSecond);
  CHECK(hc.start_period == 10 * kSecond);
  CHECK(hc.start_interval == 2 * kSecond);
  CHECK(hc.retries == 3);
  CHECK(hc.command.exec_form);
  CHECK(hc.command.args.size() == 3);
  CHECK(hc.command.args[0] == "python");
}

TEST_CASE("real-onbuild-base: triggers, HEALTHCHECK NONE, VOLUME forms, LABEL continuation") {
  Dockerfile df = ParseCase("real-onbuild-base");
  const Stage& s = df.stages[0];
  const auto& trig = At<OnbuildInst>(s, 2);
  CHECK(trig.expression == "COPY requirements.txt /usr/src/app/");
  REQUIRE(trig.trigger.size() == 1);
  CHECK(std::get<CopyInst>(trig.trigger[0]).dest == "/usr/src/app/");
  const auto& hc_trigger = At<OnbuildInst>(s, 5);
  CHECK(std::get<HealthcheckInst>(hc_trigger.trigger[0]).interval == kMinute);
  CHECK(At<HealthcheckInst>(s, 6).none);
  const auto& v1 = At<VolumeInst>(s, 7);
  CHECK(v1.json_form);
  CHECK(v1.volumes == Strings{"/data", "/logs"});
  const auto& v2 = At<VolumeInst>(s, 8);
  CHECK(v2.volumes == Strings{"/cache", "/spool"});
  CHECK(At<ExposeInst>(s, 9).ports == Strings{"80", "443", "8080-8090/udp"});
  const auto& label = At<LabelInst>(s, 10);
  REQUIRE(label.labels.size() == 4);
  CHECK(label.labels[0].key == "\"com.example.vendor\"");
  CHECK(label.labels[0].value == "\"ACME Incorporated\"");
  CHECK(label.range.end.line == label.range.start.line + 2);
}

TEST_CASE("real-debian-postgres: legacy ENV, STOPSIGNAL") {
  Dockerfile df = ParseCase("real-debian-postgres");
  const Stage& s = df.stages[0];
  const auto& env = At<EnvInst>(s, 5);
  CHECK(env.legacy_form);
  CHECK(env.vars[0].key == "PATH");
  CHECK(env.vars[0].value == "$PATH:/usr/lib/postgresql/$PG_MAJOR/bin");
  bool found = false;
  for (const auto& inst : s.instructions)
    if (const auto* sig = std::get_if<StopsignalInst>(&inst)) found = sig->signal == "SIGINT";
  CHECK(found);
}

TEST_CASE("parse-heredocs: RUN and COPY heredocs") {
  Dockerfile df = ParseCase("parse-heredocs");
  const Stage& s = df.stages[0];
  const auto& first = At<RunInst>(s, 0);
  REQUIRE(first.heredocs.size() == 1);
  CHECK(first.heredocs[0].content == "echo \"hello $HOME\"\n# a comment line kept verbatim\n");
  const auto& chomp = At<RunInst>(s, 1);
  CHECK(chomp.heredocs[0].chomp);
  const auto& two = At<CopyInst>(s, 9);
  CHECK(two.sources.empty());
  REQUIRE(two.heredocs.size() == 2);
  CHECK(two.heredocs[1].name == "FILE2");
  CHECK(two.heredocs[1].content == "content two\n");
  CHECK(two.dest == "/dest/");
  const auto& script = At<CopyInst>(s, 10);
  CHECK(script.chmod == "755");
  const auto& add = At<AddInst>(s, 11);
  CHECK(add.heredocs.size() == 1);
  CHECK(add.dest == "/etc/motd");
  const auto& json = At<RunInst>(s, 12);
  CHECK(json.heredocs.empty());
  CHECK(json.command.exec_form);
}

TEST_CASE("a Dockerfile with several kinds of errors reports the first") {
  auto r = ParseText("FROM a\nCOPY --chmod=9 a b\nRUNN x\n");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().ToString() ==
        "Dockerfile:2:6: invalid chmod parameter: '9'. it should be octal string and between 0 and "
        "07777");
}

TEST_CASE("errors on continuation lines point at the right line") {
  auto r = ParseText(
      "FROM a\nRUN --mount=type=cache,target=/a \\\n    --mount=type=bogus,target=/b \\\n    "
      "make\n");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().ToString() == "Dockerfile:3:5: unsupported mount type \"bogus\"");
  r = ParseText("FROM a\nEXPOSE 80 \\\n  90/tcpx\n");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().ToString() == "Dockerfile:3:3: invalid proto: tcpx");
}

}  // namespace
}  // namespace builder::parser
