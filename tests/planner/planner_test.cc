// Planner: stage choice, ARG/ENV scoping, late expansion, RUN/COPY/metadata steps.
#include "planner/planner.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "base/path.h"

#include "parser/ast.h"
#include "parser/instructions.h"

namespace builder::planner {
namespace {

parser::Dockerfile Parse(const std::string& text) {
  auto ast = parser::ParseDockerfile(text, "Dockerfile");
  REQUIRE(ast);
  auto typed = parser::ParseInstructions(*ast);
  REQUIRE(typed);
  return *typed;
}

Plan PlanOf(const std::string& text, PlanOptions options = {}, const oci::ImageConfig* base = nullptr) {
  parser::Dockerfile file = Parse(text);
  auto choice = ChooseBase(file, options);
  REQUIRE(choice);
  auto plan = PlanStage(file, *choice, base, options);
  REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().ToString()));
  return *plan;
}

std::string EnvValue(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env)
    if (e.starts_with(key + "=")) return e.substr(key.size() + 1);
  return "<unset>";
}

TEST_CASE("ChooseBase expands meta ARGs with build-arg overrides") {
  parser::Dockerfile file = Parse("ARG TAG=1.0\nFROM busybox:${TAG}\n");
  auto choice = ChooseBase(file, {});
  REQUIRE(choice);
  CHECK(choice->base == "busybox:1.0");
  PlanOptions options;
  options.build_args["TAG"] = "2.0";
  CHECK(ChooseBase(file, options)->base == "busybox:2.0");
}

TEST_CASE("ChooseBase refuses an unknown target and an empty base") {
  parser::Dockerfile file = Parse("FROM scratch AS a\n");
  PlanOptions options;
  options.target = "b";
  auto r = ChooseBase(file, options);
  REQUIRE(!r);
  CHECK(r.error().message().find("target stage \"b\"") != std::string::npos);
  auto blank = ChooseBase(Parse("FROM ${NOPE}\n"), {});
  REQUIRE(!blank);
  CHECK(blank.error().message().find("should not be blank") != std::string::npos);
}

TEST_CASE("shell form RUN goes through SHELL; exec form is kept") {
  Plan plan = PlanOf("FROM scratch\nRUN echo hi\nSHELL [\"/bin/bash\", \"-xc\"]\nRUN echo two\nRUN [\"a\", \"b\"]\n");
  REQUIRE(plan.steps.size() == 4);
  CHECK(std::get<RunStep>(plan.steps[0].action).argv == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
  CHECK(std::get<RunStep>(plan.steps[2].action).argv ==
        std::vector<std::string>{"/bin/bash", "-xc", "echo two"});
  CHECK(std::get<RunStep>(plan.steps[3].action).argv == std::vector<std::string>{"a", "b"});
  CHECK(plan.steps[0].created_by == "RUN /bin/sh -c echo hi # buildkit");
}

TEST_CASE("RUN heredocs: a bare heredoc is the shell's script, a shebang one a file") {
  Plan plan = PlanOf("FROM scratch\nRUN <<EOF\necho a\necho b\nEOF\nRUN <<EOF\n#!/bin/python3\nprint(1)\nEOF\nRUN <<EOF python3\nprint(2)\nEOF\n");
  REQUIRE(plan.steps.size() == 3);
  CHECK(std::get<RunStep>(plan.steps[0].action).argv ==
        std::vector<std::string>{"/bin/sh", "-c", "echo a\necho b\n"});
  const auto& script = std::get<RunStep>(plan.steps[1].action);
  CHECK(script.argv == std::vector<std::string>{"/dev/pipes/EOF"});
  REQUIRE(script.files.size() == 1);
  CHECK(script.files[0].content == "#!/bin/python3\nprint(1)\n");
  CHECK(std::get<RunStep>(plan.steps[2].action).argv ==
        std::vector<std::string>{"/bin/sh", "-c", "<<EOF python3\nprint(2)\nEOF"});
}

TEST_CASE("ARG scoping: meta ARG needs redeclaring, build args override defaults, ENV wins") {
  PlanOptions options;
  options.build_args["B"] = "given";
  Plan plan = PlanOf(
      "ARG G=global\nFROM scratch\nRUN echo\nARG G\nARG B=default\nARG C=c-$B\nENV C=env\n"
      "RUN echo\nWORKDIR /w/$G\n",
      options);
  const auto& first = std::get<RunStep>(plan.steps[0].action);
  CHECK(EnvValue(first.env, "G") == "<unset>");
  const auto& second = std::get<RunStep>(plan.steps[5].action);
  CHECK(EnvValue(second.env, "G") == "global");
  CHECK(EnvValue(second.env, "B") == "given");
  CHECK(EnvValue(second.env, "C") == "env");
  CHECK(std::get<MkdirStep>(plan.steps[6].action).path == "/w/global");
  // ARGs reach RUN but never the image config.
  CHECK(EnvValue(plan.final_config.env, "B") == "<unset>");
  CHECK(EnvValue(plan.final_config.env, "C") == "env");
  CHECK(second.argv.size() == 3);
  CHECK(plan.steps[5].created_by.starts_with("RUN |3 G=global B=given C=c-given "));
}

TEST_CASE("unused build args are reported; proxy args reach RUN silently") {
  PlanOptions options;
  options.build_args["UNUSED"] = "x";
  options.build_args["HTTP_PROXY"] = "http://proxy";
  Plan plan = PlanOf("FROM scratch\nRUN true\n", options);
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].find("[UNUSED]") != std::string::npos);
  CHECK(EnvValue(std::get<RunStep>(plan.steps[0].action).env, "HTTP_PROXY") == "http://proxy");
  CHECK(EnvValue(plan.final_config.env, "HTTP_PROXY") == "<unset>");
}

TEST_CASE("ENV expands late against earlier ENV, per step") {
  Plan plan = PlanOf("FROM scratch\nENV A=1\nENV A=${A}2 B=$A\nWORKDIR $A\n");
  CHECK(EnvValue(plan.final_config.env, "A") == "12");
  CHECK(EnvValue(plan.final_config.env, "B") == "1");
  CHECK(plan.final_config.working_dir == "/12");
  CHECK(EnvValue(plan.final_config.env, "PATH").find("/usr/bin") != std::string::npos);
}

TEST_CASE("COPY destinations are resolved against WORKDIR and keep a trailing slash") {
  Plan plan = PlanOf("FROM scratch\nWORKDIR /app\nCOPY a b/\nCOPY c .\nCOPY d /abs\nCOPY --chmod=755 e f\n");
  CHECK(std::get<CopyStep>(plan.steps[1].action).dest == "/app/b/");
  CHECK(std::get<CopyStep>(plan.steps[2].action).dest == "/app/");
  CHECK(std::get<CopyStep>(plan.steps[3].action).dest == "/abs");
  CHECK(std::get<CopyStep>(plan.steps[4].action).chmod == "755");
}

TEST_CASE("ENTRYPOINT resets an inherited CMD but not one set in this stage") {
  oci::ImageConfig base;
  base.config.cmd = {"sh"};
  Plan reset = PlanOf("FROM base\nENTRYPOINT [\"/bin/echo\"]\n", {}, &base);
  CHECK(reset.final_config.cmd.empty());
  CHECK(reset.final_config.entrypoint == std::vector<std::string>{"/bin/echo"});
  Plan kept = PlanOf("FROM base\nCMD [\"x\"]\nENTRYPOINT echo\n", {}, &base);
  CHECK(kept.final_config.cmd == std::vector<std::string>{"x"});
  CHECK(kept.final_config.entrypoint == std::vector<std::string>{"/bin/sh", "-c", "echo"});
}

TEST_CASE("metadata instructions fill the config") {
  PlanOptions options;
  options.labels["from.cli"] = "yes";
  Plan plan = PlanOf(
      "FROM scratch\nLABEL a=1 \"b c\"=\"d e\"\nEXPOSE 80 53/udp 8000-8001\nVOLUME /data\n"
      "USER app\nSTOPSIGNAL SIGTERM\nHEALTHCHECK --interval=5s CMD true\nONBUILD RUN echo hi\n"
      "MAINTAINER me\n",
      options);
  const auto& c = plan.final_config;
  CHECK(c.labels.at("a") == "1");
  CHECK(c.labels.at("b c") == "d e");
  CHECK(c.labels.at("from.cli") == "yes");
  CHECK(c.exposed_ports == std::set<std::string>{"80/tcp", "53/udp", "8000/tcp", "8001/tcp"});
  CHECK(c.volumes.count("/data") == 1);
  CHECK(c.user == "app");
  CHECK(c.stop_signal == "SIGTERM");
  REQUIRE(c.healthcheck);
  CHECK(c.healthcheck->test == std::vector<std::string>{"CMD-SHELL", "true"});
  CHECK(c.healthcheck->interval == 5'000'000'000);
  CHECK(c.on_build == std::vector<std::string>{"RUN echo hi"});
  CHECK(plan.final_author == "me");
  for (const auto& s : plan.steps) CHECK(!IsExecStep(s));
}

TEST_CASE("ONBUILD triggers of the base run first and are not inherited") {
  oci::ImageConfig base;
  base.config.on_build = {"RUN echo trigger"};
  Plan plan = PlanOf("FROM base\nRUN echo mine\n", {}, &base);
  REQUIRE(plan.steps.size() == 2);
  CHECK(std::get<RunStep>(plan.steps[0].action).argv.back() == "echo trigger");
  CHECK(plan.final_config.on_build.empty());
}

TEST_CASE("COPY/ADD --link is planned, shown and keyed apart from a plain COPY") {
  Plan plan = PlanOf("FROM scratch\nCOPY --link a /a\nADD --link b /b\nCOPY a /a\n");
  const auto& linked = std::get<CopyStep>(plan.steps[0].action);
  CHECK(linked.link);
  CHECK(std::get<CopyStep>(plan.steps[1].action).link);
  CHECK_FALSE(std::get<CopyStep>(plan.steps[2].action).link);
  CHECK(plan.steps[0].name == "COPY --link a /a");
  CHECK(plan.steps[1].name == "ADD --link b /b");
  CHECK(plan.steps[0].canonical != plan.steps[2].canonical);
  // A plain COPY's canonical text does not mention link: existing cache keys stay valid.
  CHECK(plan.steps[2].canonical.find("link") == std::string::npos);
  CHECK(std::get<CopyStep>(PlanOf("FROM scratch\nCOPY --link --chown=1000:root a /a\n").steps[0].action).chown ==
        "1000:root");
}

TEST_CASE("COPY --link refuses --chown by name: nothing beneath to look it up in") {
  parser::Dockerfile file = Parse("FROM scratch\nCOPY --link --chown=app:1 a /a\n");
  auto choice = ChooseBase(file, {});
  REQUIRE(choice);
  auto plan = PlanStage(file, *choice, nullptr, {});
  REQUIRE_FALSE(plan);
  CHECK(plan.error().ToString().find("--link with --chown=app:1") != std::string::npos);
  CHECK(plan.error().ToString().find("Dockerfile:2") != std::string::npos);
}

TEST_CASE("canonical text changes with what the step depends on") {
  Plan a = PlanOf("FROM scratch\nARG V=1\nRUN make\n");
  Plan b = PlanOf("FROM scratch\nARG V=2\nRUN make\n");
  // Arg values are masked in the canonical text and carried as separate inputs.
  CHECK(a.steps[1].canonical == b.steps[1].canonical);
  CHECK(a.steps[1].args.at("V") == "1");
  CHECK(b.steps[1].args.at("V") == "2");
  CHECK(a.steps[1].canonical.find("\"V\"") != std::string::npos);
  Plan c = PlanOf("FROM scratch\nARG V=1\nRUN  make\n");
  CHECK(a.steps[1].canonical == PlanOf("FROM scratch\nARG V=1\nRUN make\n").steps[1].canonical);
  CHECK(c.steps[1].canonical.find("make") != std::string::npos);
}

TEST_CASE("expansion errors are located at the instruction") {
  parser::Dockerfile file = Parse("FROM scratch\nENV A=${B:?unset}\n");
  auto choice = ChooseBase(file, {});
  REQUIRE(choice);
  auto plan = PlanStage(file, *choice, nullptr, {});
  REQUIRE(!plan);
  CHECK(plan.error().ToString().find("Dockerfile:2") != std::string::npos);
  CHECK(plan.error().message().find("unset") != std::string::npos);
}

TEST_CASE("unsupported features fail clearly") {
  parser::Dockerfile file = Parse("FROM scratch AS a\nFROM a\n");
  auto choice = ChooseBase(file, {});
  REQUIRE(!choice);
  CHECK(choice.error().code() == ErrorCode::kUnsupported);
  parser::Dockerfile from = Parse("FROM scratch\nCOPY --from=x /a /b\n");
  auto plan = PlanStage(from, *ChooseBase(from, {}), nullptr, {});
  REQUIRE(plan);
  CHECK(std::get<CopyStep>(plan->steps[0].action).from_image == "x");
}

BaseResolver FakeImages() {
  return [](const std::string& name) -> Result<std::optional<oci::ImageConfig>> {
    if (name == "scratch") return std::optional<oci::ImageConfig>();
    if (name.starts_with("missing")) return Fail(ErrorCode::kNotFound, "No such image: " + name);
    oci::ImageConfig c;
    c.config.env = {"PATH=/bin", "FROM_IMAGE=" + name};
    return std::optional<oci::ImageConfig>(c);
  };
}

TEST_CASE("PlanBuild keeps only the stages the target needs, in order") {
  parser::Dockerfile file = Parse(
      "FROM missing:1 AS unused\nRUN x\n"
      "FROM busybox AS build\nENV IN_BUILD=1\nRUN make\n"
      "FROM build AS test\nRUN test\n"
      "FROM scratch AS other\nCOPY f /f\n"
      "FROM busybox\nCOPY --from=build /out /out\nCOPY --from=3 /f /f\nCOPY --from=alpine:3 /x /x\n");
  auto plan = PlanBuild(file, {}, FakeImages());
  REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().ToString()));
  REQUIRE(plan->stages.size() == 3);
  CHECK(plan->stages[0].stage_name == "build");
  CHECK(plan->stages[1].stage_name == "other");
  CHECK(plan->stages[2].stage_name == "stage-4");
  const auto& steps = plan->stages[2].steps;
  CHECK(std::get<CopyStep>(steps[0].action).from_stage == 0);
  CHECK(std::get<CopyStep>(steps[1].action).from_stage == 1);
  CHECK(std::get<CopyStep>(steps[2].action).from_stage == -1);
  CHECK(std::get<CopyStep>(steps[2].action).from_image == "alpine:3");
  CHECK(EnvValue(plan->stages[2].final_config.env, "IN_BUILD") == "<unset>");
}

TEST_CASE("PlanBuild: a stage built on another inherits its config; --target picks the stage") {
  parser::Dockerfile file =
      Parse("FROM busybox AS build\nENV IN_BUILD=1\nWORKDIR /src\nFROM build AS test\nRUN test\n"
            "FROM missing:2\n");
  PlanOptions options;
  options.target = "test";
  options.labels["l"] = "v";
  auto plan = PlanBuild(file, options, FakeImages());
  REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().ToString()));
  REQUIRE(plan->stages.size() == 2);
  CHECK(plan->stages[1].base_stage == 0);
  CHECK(EnvValue(plan->stages[1].final_config.env, "IN_BUILD") == "1");
  CHECK(plan->stages[1].final_config.working_dir == "/src");
  CHECK(std::get<RunStep>(plan->stages[1].steps[0].action).cwd == "/src");
  // --label reaches the target only
  CHECK(plan->stages[1].final_config.labels.count("l") == 1);
  CHECK(plan->stages[0].final_config.labels.count("l") == 0);
  // without --target the last stage is built, and its missing base is an error
  auto last = PlanBuild(file, {}, FakeImages());
  REQUIRE(!last);
  CHECK(last.error().message().find("missing:2") != std::string::npos);
}

TEST_CASE("PlanBuild refuses --from pointing at the current or a later stage") {
  parser::Dockerfile file = Parse("FROM busybox\nCOPY --from=0 /a /b\n");
  auto plan = PlanBuild(file, {}, FakeImages());
  REQUIRE(!plan);
  CHECK(plan.error().message().find("refers to current or later stage") != std::string::npos);
}

}  // namespace
}  // namespace builder::planner

namespace builder::planner {
namespace {

TEST_CASE("RUN --mount: targets against WORKDIR, stage sources, secret mounts planned by id") {
  parser::Dockerfile file = Parse(
      "FROM busybox AS tools\nFROM busybox\nWORKDIR /w\n"
      "RUN --mount=type=cache,target=cache,id=c1,mode=0700,uid=5 --mount=type=bind,from=tools,"
      "source=/opt,target=/t --mount=type=secret,id=s true\n");
  auto plan = PlanBuild(file, {}, [](const std::string&) -> Result<std::optional<oci::ImageConfig>> {
    return std::optional<oci::ImageConfig>(oci::ImageConfig{});
  });
  REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().ToString()));
  const auto& run = std::get<RunStep>(plan->stages.back().steps.back().action);
  REQUIRE(run.mounts.size() == 3);
  CHECK(run.mounts[0].type == "cache");
  CHECK(run.mounts[0].target == "/w/cache");
  CHECK(run.mounts[0].cache_id == "c1");
  CHECK(run.mounts[0].mode == 0700);
  CHECK(run.mounts[0].uid == 5);
  CHECK(!run.mounts[0].read_only);
  CHECK(run.mounts[1].from_stage == 0);
  CHECK(run.mounts[1].read_only);
  CHECK(run.mounts[2].type == "secret");
  CHECK(run.mounts[2].secret_id == "s");
  CHECK(run.mounts[2].target == "/run/secrets/s");
  CHECK(run.mounts[2].mode == 0400);
  CHECK(!run.mounts[2].required);
}

}  // namespace
}  // namespace builder::planner

namespace builder::planner {
namespace {

// Every real-world Dockerfile in testdata plans without error (bases faked; windows
// cases may report kUnsupported, nothing else).
TEST_CASE("the real-* testdata Dockerfiles plan") {
  namespace fs = std::filesystem;
  int planned = 0;
  for (const auto& dir : fs::directory_iterator(BUILDER_TESTDATA_DIR "/dockerfiles")) {
    if (!dir.path().filename().string().starts_with("real-")) continue;
    auto text = ReadFile((dir.path() / "Dockerfile").string());
    if (!text) continue;
    CAPTURE(dir.path().string());
    auto ast = parser::ParseDockerfile(*text, "Dockerfile");
    REQUIRE(ast);
    auto typed = parser::ParseInstructions(*ast);
    REQUIRE(typed);
    auto plan = PlanBuild(*typed, {}, [](const std::string& name) -> Result<std::optional<oci::ImageConfig>> {
      if (name == "scratch") return std::optional<oci::ImageConfig>();
      return std::optional<oci::ImageConfig>(oci::ImageConfig{});
    });
    if (!plan) {
      CHECK_MESSAGE(plan.error().code() == ErrorCode::kUnsupported, plan.error().ToString());
      continue;
    }
    CHECK(!plan->stages.empty());
    ++planned;
  }
  CHECK(planned >= 8);
}

}  // namespace
}  // namespace builder::planner
