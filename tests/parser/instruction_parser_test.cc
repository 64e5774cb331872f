// ParseInstructions on hand-built Asts: every instruction's fields, flags and error paths with
// exact messages and line:col.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>

#include "fake_ast.h"
#include "parser/instructions.h"

namespace builder::parser {
namespace {

using testing::FakeAst;
using Strings = std::vector<std::string>;

FakeAst Lines(std::initializer_list<std::string_view> lines) {
  FakeAst f;
  for (auto l : lines) f.Add(l);
  return f;
}

Dockerfile Parse(const FakeAst& f) {
  auto r = ParseInstructions(f.ast());
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().ToString()));
  return std::move(*r);
}

// "Dockerfile:L:C: message" of the failure.
std::string ErrorOf(const FakeAst& f) {
  auto r = ParseInstructions(f.ast());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::kParse);
  return r.error().ToString();
}

// The only instruction of the only stage, after a FROM on line 1.
template <class T>
T One(std::string_view line) {
  Dockerfile df = Parse(Lines({"FROM alpine", line}));
  REQUIRE(df.stages.size() == 1);
  REQUIRE(df.stages[0].instructions.size() == 1);
  const T* inst = std::get_if<T>(&df.stages[0].instructions[0]);
  REQUIRE(inst != nullptr);
  return *inst;
}

std::string ErrorIn(std::string_view line) { return ErrorOf(Lines({"FROM alpine", line})); }

TEST_CASE("stages, meta args and FROM") {
  Dockerfile df = Parse(
      Lines({"ARG BASE=alpine", "ARG TAG", "FROM --platform=$BUILDPLATFORM ${BASE}:$TAG AS Build",
             "RUN make", "from scratch", "COPY --from=build /out /"}));
  REQUIRE(df.meta_args.size() == 2);
  CHECK(df.meta_args[0].args[0].key == "BASE");
  CHECK(df.meta_args[0].args[0].value == "alpine");
  CHECK_FALSE(df.meta_args[1].args[0].value.has_value());
  REQUIRE(df.stages.size() == 2);
  CHECK(df.stages[0].name == "build");
  CHECK(df.stages[0].base == "${BASE}:$TAG");
  CHECK(df.stages[0].platform == "$BUILDPLATFORM");
  CHECK(df.stages[0].range.start.line == 3);
  CHECK(df.stages[0].instructions.size() == 1);
  CHECK(df.stages[1].name.empty());
  CHECK(df.stages[1].base == "scratch");
  CHECK_FALSE(df.stages[1].platform.has_value());
  CHECK(InstructionKind(df.stages[1].instructions[0]) == std::string("copy"));
  CHECK(InstructionHeader(df.stages[1].instructions[0]).range.start.line == 6);
  CHECK(InstructionHeader(df.stages[1].instructions[0]).original == "COPY --from=build /out /");
}

TEST_CASE("FROM errors") {
  CHECK(ErrorOf(Lines({"FROM"})) == "Dockerfile:1:1: FROM requires either one or three arguments");
  CHECK(ErrorOf(Lines({"FROM a b"})) ==
        "Dockerfile:1:6: FROM requires either one or three arguments");
  CHECK(ErrorOf(Lines({"FROM a AS 1st"})) ==
        "Dockerfile:1:11: invalid name for build stage: \"1st\", name can't start with a number or "
        "contain symbols");
  CHECK(ErrorOf(Lines({"FROM a AS b$c"})) ==
        "Dockerfile:1:11: invalid name for build stage: \"b$c\", name can't start with a number or "
        "contain symbols");
  CHECK(ErrorOf(Lines({"FROM --platfrom=linux/amd64 alpine"})) ==
        "Dockerfile:1:6: unknown flag: --platfrom (did you mean platform?)");
  CHECK(ErrorOf(Lines({"FROM --platform alpine"})) ==
        "Dockerfile:1:6: missing a value on flag: --platform");
  CHECK(ErrorOf(Lines({"FROM --platform=a --platform=b alpine"})) ==
        "Dockerfile:1:19: duplicate flag specified: --platform");
  Dockerfile df = Parse(Lines({"FROM a as my-stage_1.x"}));
  CHECK(df.stages[0].name == "my-stage_1.x");
}

TEST_CASE("instructions before FROM, unknown instructions, no stages") {
  CHECK(ErrorOf(Lines({"RUN echo too early", "FROM alpine"})) ==
        "Dockerfile:1:1: no build stage in current context (RUN comes before the first FROM)");
  CHECK(ErrorOf(Lines({"ARG A", "ENV B=1", "FROM alpine"})) ==
        "Dockerfile:2:1: no build stage in current context (ENV comes before the first FROM)");
  CHECK(ErrorIn("RUNN echo typo") ==
        "Dockerfile:2:1: unknown instruction: RUNN (did you mean RUN?)");
  CHECK(ErrorIn("  form x") == "Dockerfile:2:3: unknown instruction: form (did you mean from?)");
  CHECK(ErrorIn("Expsoe 80") ==
        "Dockerfile:2:1: unknown instruction: Expsoe (did you mean expose?)");
  CHECK(ErrorIn("FOOBAR x") == "Dockerfile:2:1: unknown instruction: FOOBAR");
  CHECK(ErrorOf(Lines({"ARG A"})) == "Dockerfile:1:1: dockerfile contains no stages to build");
  // An unknown instruction is reported even before the first FROM.
  CHECK(ErrorOf(Lines({"RUMN x", "FROM a"})) ==
        "Dockerfile:1:1: unknown instruction: RUMN (did you mean RUN?)");
}

TEST_CASE("ARG") {
  auto a = One<ArgInst>("ARG A B=2 C= \"D\"=x");
  REQUIRE(a.args.size() == 4);
  CHECK(a.args[0].key == "A");
  CHECK_FALSE(a.args[0].value);
  CHECK(a.args[1].value == "2");
  CHECK(a.args[2].value == "");
  CHECK(a.args[3].key == "\"D\"");
  CHECK(ErrorIn("ARG") == "Dockerfile:2:1: ARG requires at least one argument");
  CHECK(ErrorIn("ARG A =1") == "Dockerfile:2:7: ARG names can not be blank");
  CHECK(ErrorIn("ARG --x A") == "Dockerfile:2:5: unknown flag: --x");
}

TEST_CASE("ENV and LABEL") {
  auto e = One<EnvInst>("ENV A=1 B=\"two\"");
  REQUIRE(e.vars.size() == 2);
  CHECK(e.vars[0].key == "A");
  CHECK(e.vars[1].value == "\"two\"");  // kept raw: quotes go at expansion
  CHECK_FALSE(e.legacy_form);
  auto legacy = One<EnvInst>("ENV PATH /usr/bin:$PATH");
  REQUIRE(legacy.vars.size() == 1);
  CHECK(legacy.vars[0].value == "/usr/bin:$PATH");
  CHECK(legacy.legacy_form);
  auto l = One<LabelInst>("LABEL org.opencontainers.image.title=app");
  CHECK(l.labels[0].key == "org.opencontainers.image.title");
  CHECK(ErrorIn("ENV") == "Dockerfile:2:1: ENV requires at least one argument");
  CHECK(ErrorIn("LABEL =x") == "Dockerfile:2:7: LABEL names can not be blank");
  CHECK(ErrorIn("ENV --x=1 A=1") == "Dockerfile:2:5: unknown flag: --x");
}

TEST_CASE("RUN forms and flags") {
  auto shell = One<RunInst>("RUN apt-get update && apt-get install -y curl");
  CHECK(shell.command.args == Strings{"apt-get update && apt-get install -y curl"});
  CHECK_FALSE(shell.command.exec_form);
  CHECK(shell.network == "default");
  CHECK(shell.security == "sandbox");
  auto exec = One<RunInst>(R"(RUN ["echo", "hi"])");
  CHECK(exec.command.args == Strings{"echo", "hi"});
  CHECK(exec.command.exec_form);
  auto flags = One<RunInst>(
      "RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=tok --network=none "
      "--security=insecure make");
  REQUIRE(flags.mounts.size() == 2);
  CHECK(flags.mounts[0].type == "cache");
  CHECK(flags.mounts[0].target == "/root/.cache");
  CHECK_FALSE(flags.mounts[0].read_only);
  CHECK(flags.mounts[1].type == "secret");
  CHECK(flags.mounts[1].id == "tok");
  CHECK(flags.network == "none");
  CHECK(flags.security == "insecure");
  CHECK(One<RunInst>("RUN --network=host true").network == "host");
  CHECK(One<RunInst>("RUN --security=sandbox true").security == "sandbox");
}

TEST_CASE("RUN heredocs") {
  FakeAst f = Lines({"FROM alpine"});
  Node& n = f.Add("RUN <<EOF python3");
  n.heredocs.push_back({"EOF", "print(1)\n", true, false, -1});
  f.AddBodyLine("print(1)");
  f.AddBodyLine("EOF");
  Dockerfile df = Parse(f);
  const auto& run = std::get<RunInst>(df.stages[0].instructions[0]);
  REQUIRE(run.heredocs.size() == 1);
  CHECK(run.heredocs[0].content == "print(1)\n");
  CHECK(run.command.args == Strings{"<<EOF python3"});
  CHECK(InstructionHeader(df.stages[0].instructions[0]).range.end.line == 4);
}

TEST_CASE("RUN errors") {
  CHECK(ErrorIn("RUN") == "Dockerfile:2:1: RUN requires at least one argument");
  CHECK(ErrorIn("RUN --network=bridge echo hi") ==
        "Dockerfile:2:5: invalid network mode \"bridge\"");
  CHECK(ErrorIn("RUN --security=privileged x") ==
        "Dockerfile:2:5: security \"privileged\" is not valid");
  CHECK(ErrorIn("RUN --mount=type=cachee,target=/x echo hi") ==
        "Dockerfile:2:5: unsupported mount type \"cachee\" (did you mean cache?)");
  CHECK(ErrorIn("RUN --network=none --mount=type=bind echo") ==
        "Dockerfile:2:20: mount type \"bind\" requires a target");
  CHECK(ErrorIn("RUN --mount=target=/a --mount=target=/b,sharing=x echo") ==
        "Dockerfile:2:23: unsupported sharing value \"x\"");
  CHECK(ErrorIn("RUN --mount echo") == "Dockerfile:2:5: missing a value on flag: --mount");
  CHECK(ErrorIn("RUN --network=none --network=host echo") ==
        "Dockerfile:2:20: duplicate flag specified: --network");
  CHECK(ErrorIn("RUN --mout=type=bind,target=/ echo") ==
        "Dockerfile:2:5: unknown flag: --mout (did you mean mount?)");
  CHECK(ErrorIn("RUN --device=x echo") == "Dockerfile:2:5: unknown flag: --device");
}

TEST_CASE("CMD, ENTRYPOINT, SHELL") {
  auto cmd = One<CmdInst>(R"(CMD ["nginx", "-g", "daemon off;"])");
  CHECK(cmd.command.args == Strings{"nginx", "-g", "daemon off;"});
  CHECK(cmd.command.exec_form);
  auto empty = One<CmdInst>("CMD []");
  CHECK(empty.command.args.empty());
  CHECK(empty.command.exec_form);
  auto ep = One<EntrypointInst>("ENTRYPOINT exec server --port 80");
  CHECK(ep.command.args == Strings{"exec server --port 80"});
  CHECK_FALSE(ep.command.exec_form);
  auto sh = One<ShellInst>(R"(SHELL ["/bin/bash", "-o", "pipefail", "-c"])");
  CHECK(sh.shell == Strings{"/bin/bash", "-o", "pipefail", "-c"});
  CHECK(ErrorIn("SHELL /bin/bash -c") ==
        "Dockerfile:2:7: SHELL requires the arguments to be in JSON form");
  CHECK(ErrorIn("SHELL []") == "Dockerfile:2:1: SHELL requires at least one argument");
  CHECK(ErrorIn("CMD --doit [\"a\"]") == "Dockerfile:2:5: unknown flag: --doit");
  CHECK(ErrorIn("ENTRYPOINT --x a") == "Dockerfile:2:12: unknown flag: --x");
}

TEST_CASE("WORKDIR, USER, STOPSIGNAL, MAINTAINER") {
  CHECK(One<WorkdirInst>("WORKDIR /app dir").path == "/app dir");
  CHECK(One<UserInst>("USER app:app").user == "app:app");
  CHECK(One<StopsignalInst>("STOPSIGNAL SIGTERM").signal == "SIGTERM");
  CHECK(One<MaintainerInst>("MAINTAINER Jane <jane@example.com>").maintainer ==
        "Jane <jane@example.com>");
  CHECK(ErrorIn("WORKDIR") == "Dockerfile:2:1: WORKDIR requires exactly one argument");
  CHECK(ErrorIn("USER") == "Dockerfile:2:1: USER requires exactly one argument");
  CHECK(ErrorIn("STOPSIGNAL") == "Dockerfile:2:1: STOPSIGNAL requires exactly one argument");
  CHECK(ErrorIn("STOPSIGNAL SIGFOO") == "Dockerfile:2:12: invalid signal: SIGFOO");
  CHECK(ErrorIn("STOPSIGNAL 0") == "Dockerfile:2:12: invalid signal: 0");
  CHECK(One<StopsignalInst>("STOPSIGNAL $SIG").signal == "$SIG");
  CHECK(One<StopsignalInst>("STOPSIGNAL 9").signal == "9");
  CHECK(ErrorIn("MAINTAINER") == "Dockerfile:2:1: MAINTAINER requires exactly one argument");
  CHECK(ErrorIn("USER --x=1 app") == "Dockerfile:2:6: unknown flag: --x");
}

TEST_CASE("COPY") {
  auto c = One<CopyInst>(
      "COPY --from=build --chown=app:app --chmod=0755 --link --exclude=*.md --exclude=.git "
      "--parents a b /dest/");
  CHECK(c.sources == Strings{"a", "b"});
  CHECK(c.dest == "/dest/");
  CHECK(c.from == "build");
  CHECK(c.chown == "app:app");
  CHECK(c.chmod == "0755");
  CHECK(c.link);
  CHECK(c.parents);
  CHECK(c.excludes == Strings{"*.md", ".git"});
  CHECK_FALSE(c.json_form);
  auto plain = One<CopyInst>("COPY . .");
  CHECK_FALSE(plain.link);
  CHECK(plain.from.empty());
  CHECK(plain.chmod.empty());
  auto json = One<CopyInst>(R"(COPY ["a b", "/c d/"])");
  CHECK(json.sources == Strings{"a b"});
  CHECK(json.dest == "/c d/");
  CHECK(json.json_form);
  CHECK(One<CopyInst>("COPY --link=false a /").link == false);
  CHECK(One<CopyInst>("COPY --link=TRUE a /").link == true);
  CHECK(One<CopyInst>("COPY --chmod=u+x,go-w a /").chmod == "u+x,go-w");
  CHECK(One<CopyInst>("COPY --chmod=$MODE a /").chmod == "$MODE");
}

TEST_CASE("COPY heredocs") {
  FakeAst f = Lines({"FROM alpine"});
  Node& n = f.Add("COPY --chmod=755 <<FILE1 <<-\"FILE2\" /dest/");
  n.heredocs.push_back({"FILE1", "one\n", true, false, -1});
  n.heredocs.push_back({"FILE2", "\ttwo\n", false, true, -1});
  Dockerfile df = Parse(f);
  const auto& c = std::get<CopyInst>(df.stages[0].instructions[0]);
  CHECK(c.sources.empty());
  REQUIRE(c.heredocs.size() == 2);
  CHECK(c.heredocs[0].name == "FILE1");
  CHECK(c.heredocs[0].content == "one\n");
  CHECK(c.heredocs[1].name == "FILE2");
  CHECK(c.heredocs[1].chomp);
  CHECK_FALSE(c.heredocs[1].expand);
  CHECK(c.dest == "/dest/");

  // Heredocs pair with their openers in order, even when names repeat.
  FakeAst same = Lines({"FROM alpine"});
  Node& twice = same.Add("COPY <<EOF <<EOF /d");
  twice.heredocs.push_back({"EOF", "one\n", true, false, -1});
  twice.heredocs.push_back({"EOF", "two\n", true, false, -1});
  Dockerfile same_df = Parse(same);
  const auto& dup = std::get<CopyInst>(same_df.stages[0].instructions[0]);
  REQUIRE(dup.heredocs.size() == 2);
  CHECK(dup.heredocs[0].content == "one\n");
  CHECK(dup.heredocs[1].content == "two\n");

  FakeAst g = Lines({"FROM alpine"});
  Node& m = g.Add("COPY a <<EOF");
  m.heredocs.push_back({"EOF", "x\n", true, false, -1});
  CHECK(ErrorOf(g) == "Dockerfile:2:8: COPY cannot accept a heredoc as a destination");
}

TEST_CASE("COPY errors") {
  CHECK(ErrorIn("COPY onlyone") ==
        "Dockerfile:2:6: COPY requires at least two arguments, but only one was provided. "
        "Destination could not be determined");
  CHECK(ErrorIn("COPY") ==
        "Dockerfile:2:1: COPY requires at least two arguments, but only one was provided. "
        "Destination could not be determined");
  CHECK(ErrorIn("COPY --chwon=1000 src /app") ==
        "Dockerfile:2:6: unknown flag: --chwon (did you mean chown?)");
  CHECK(ErrorIn("COPY --chown=1 --chown=2 a /a") ==
        "Dockerfile:2:16: duplicate flag specified: --chown");
  CHECK(ErrorIn("COPY --chmod=999 a /a") ==
        "Dockerfile:2:6: invalid chmod parameter: '999'. it should be octal string and between 0 "
        "and 07777");
  CHECK(ErrorIn("COPY --chmod=u+q a /a") ==
        "Dockerfile:2:6: invalid chmod parameter: 'u+q'. it should be octal string and between 0 "
        "and 07777");
  CHECK(ErrorIn("COPY --link=maybe a /a") ==
        "Dockerfile:2:6: expecting boolean value for flag --link, not: maybe");
  CHECK(ErrorIn("COPY --link= a /a") == "Dockerfile:2:6: missing a value on flag: --link");
  CHECK(ErrorIn("COPY --from a /a") == "Dockerfile:2:6: missing a value on flag: --from");
  CHECK(ErrorIn("COPY --from=$STAGE a /a") ==
        "Dockerfile:2:6: variable expansion is not supported for --from, define a new stage with "
        "FROM using ARG from global scope as a workaround");
  CHECK(ErrorIn("COPY --checksum=sha256:ab a /a") == "Dockerfile:2:6: unknown flag: --checksum");
  CHECK(ErrorIn("COPY --unpack a /a") == "Dockerfile:2:6: unknown flag: --unpack");
}

TEST_CASE("ADD") {
  auto a = One<AddInst>(
      "ADD --checksum=sha256:0123 --keep-git-dir --unpack=false --chown=1:2 --chmod=644 --link "
      "--exclude=x https://example.com/a.tar.gz /opt/");
  CHECK(a.sources == Strings{"https://example.com/a.tar.gz"});
  CHECK(a.dest == "/opt/");
  CHECK(a.checksum == "sha256:0123");
  CHECK(a.keep_git_dir);
  REQUIRE(a.unpack.has_value());
  CHECK_FALSE(*a.unpack);
  CHECK(a.chown == "1:2");
  CHECK(a.chmod == "644");
  CHECK(a.link);
  CHECK(a.excludes == Strings{"x"});
  auto plain = One<AddInst>("ADD a.tar /");
  CHECK_FALSE(plain.unpack.has_value());
  CHECK_FALSE(plain.keep_git_dir);
  CHECK(ErrorIn("ADD x") ==
        "Dockerfile:2:5: ADD requires at least two arguments, but only one was provided. "
        "Destination could not be determined");
  CHECK(ErrorIn("ADD --from=a x /") == "Dockerfile:2:5: unknown flag: --from");
  CHECK(ErrorIn("ADD --parents x /") == "Dockerfile:2:5: unknown flag: --parents");
  CHECK(ErrorIn("ADD --checksum=sha256:ab a b /") ==
        "Dockerfile:2:5: checksum can't be specified for multiple sources");
  CHECK(ErrorIn("ADD --chmod=8 a /") ==
        "Dockerfile:2:5: invalid chmod parameter: '8'. it should be octal string and between 0 "
        "and 07777");
}

TEST_CASE("EXPOSE") {
  auto e = One<ExposeInst>("EXPOSE 80 443/tcp 53/udp 8000-8010 $PORT 9/SCTP");
  CHECK(e.ports == Strings{"80", "443/tcp", "53/udp", "8000-8010", "$PORT", "9/SCTP"});
  CHECK(ErrorIn("EXPOSE 80/sctpx") == "Dockerfile:2:8: invalid proto: sctpx");
  CHECK(ErrorIn("EXPOSE 80 http") == "Dockerfile:2:11: invalid containerPort: http");
  CHECK(ErrorIn("EXPOSE 80 90-80") == "Dockerfile:2:11: invalid containerPort: 90-80");
  CHECK(ErrorIn("EXPOSE 70000") == "Dockerfile:2:8: invalid containerPort: 70000");
  CHECK(ErrorIn("EXPOSE /tcp") == "Dockerfile:2:8: no port specified: /tcp<empty>");
  CHECK(ErrorIn("EXPOSE") == "Dockerfile:2:1: EXPOSE requires at least one argument");
}

TEST_CASE("VOLUME") {
  auto v = One<VolumeInst>("VOLUME /data /var/log");
  CHECK(v.volumes == Strings{"/data", "/var/log"});
  CHECK_FALSE(v.json_form);
  auto j = One<VolumeInst>(R"(VOLUME [" /data ", "/b"])");
  CHECK(j.volumes == Strings{"/data", "/b"});
  CHECK(j.json_form);
  CHECK(ErrorIn(R"(VOLUME ["/a", " "])") ==
        "Dockerfile:2:8: VOLUME specified can not be an empty string");
  CHECK(ErrorIn("VOLUME") == "Dockerfile:2:1: VOLUME requires at least one argument");
}

TEST_CASE("HEALTHCHECK") {
  auto h = One<HealthcheckInst>(
      "HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s --start-interval=5ms "
      "--retries=3 CMD curl -f http://localhost/");
  CHECK_FALSE(h.none);
  CHECK(h.command.args == Strings{"curl -f http://localhost/"});
  CHECK_FALSE(h.command.exec_form);
  CHECK(h.interval == 30 * kSecond);
  CHECK(h.timeout == 90 * kSecond);
  CHECK(h.start_period == 1500 * kMillisecond);
  CHECK(h.start_interval == 5 * kMillisecond);
  CHECK(h.retries == 3);
  auto exec = One<HealthcheckInst>(R"(HEALTHCHECK CMD ["/bin/check", "-q"])");
  CHECK(exec.command.args == Strings{"/bin/check", "-q"});
  CHECK(exec.command.exec_form);
  CHECK_FALSE(exec.interval.has_value());
  CHECK_FALSE(exec.retries.has_value());
  CHECK(One<HealthcheckInst>("HEALTHCHECK NONE").none);
  CHECK(One<HealthcheckInst>("HEALTHCHECK none").none);
  CHECK(One<HealthcheckInst>("HEALTHCHECK --interval=0 --retries=0 CMD true").interval == 0);
  CHECK(One<HealthcheckInst>("HEALTHCHECK --retries=0 CMD true").retries == 0);
}

TEST_CASE("HEALTHCHECK errors") {
  CHECK(ErrorIn("HEALTHCHECK --interval=5 CMD true") ==
        "Dockerfile:2:13: time: missing unit in duration \"5\"");
  CHECK(ErrorIn("HEALTHCHECK --timeout=5d CMD true") ==
        "Dockerfile:2:13: time: unknown unit \"d\" in duration \"5d\"");
  CHECK(ErrorIn("HEALTHCHECK --interval=1s --timeout=abc CMD true") ==
        "Dockerfile:2:27: time: invalid duration \"abc\"");
  CHECK(ErrorIn("HEALTHCHECK --interval=500us CMD true") ==
        "Dockerfile:2:13: Interval \"interval\" cannot be less than 1ms");
  CHECK(ErrorIn("HEALTHCHECK --start-period=-1s CMD true") ==
        "Dockerfile:2:13: Interval \"start-period\" cannot be less than 1ms");
  CHECK(ErrorIn("HEALTHCHECK --retries=-1 CMD true") ==
        "Dockerfile:2:13: --retries cannot be negative (-1)");
  CHECK(ErrorIn("HEALTHCHECK --retries=x CMD true") ==
        "Dockerfile:2:13: strconv.ParseInt: parsing \"x\": invalid syntax");
  CHECK(ErrorIn("HEALTHCHECK --retries=99999999999 CMD true") ==
        "Dockerfile:2:13: strconv.ParseInt: parsing \"99999999999\": value out of range");
  CHECK(ErrorIn("HEALTHCHECK --retries=1 --retries=2 CMD true") ==
        "Dockerfile:2:25: duplicate flag specified: --retries");
  CHECK(ErrorIn("HEALTHCHECK --intervall=5s CMD true") ==
        "Dockerfile:2:13: unknown flag: --intervall (did you mean interval?)");
  CHECK(ErrorIn("HEALTHCHECK CONNECT x") ==
        "Dockerfile:2:13: Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)");
  CHECK(ErrorIn("HEALTHCHECK CMD") == "Dockerfile:2:13: Missing command after HEALTHCHECK CMD");
  CHECK(ErrorIn("HEALTHCHECK NONE x") == "Dockerfile:2:13: HEALTHCHECK NONE takes no arguments");
  CHECK(ErrorIn("HEALTHCHECK") == "Dockerfile:2:1: HEALTHCHECK requires at least one argument");
}

TEST_CASE("ONBUILD") {
  auto o = One<OnbuildInst>("ONBUILD COPY --chown=1 . /app");
  CHECK(o.expression == "COPY --chown=1 . /app");
  REQUIRE(o.trigger.size() == 1);
  const auto* copy = std::get_if<CopyInst>(&o.trigger[0]);
  REQUIRE(copy != nullptr);
  CHECK(copy->chown == "1");
  CHECK(copy->dest == "/app");
  auto run = One<OnbuildInst>("onbuild   RUN make");
  CHECK(run.expression == "RUN make");
  CHECK(std::holds_alternative<RunInst>(run.trigger[0]));
  CHECK(ErrorIn("ONBUILD ONBUILD RUN true") ==
        "Dockerfile:2:9: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  CHECK(ErrorIn("ONBUILD FROM busybox") ==
        "Dockerfile:2:9: FROM isn't allowed as an ONBUILD trigger");
  CHECK(ErrorIn("ONBUILD MAINTAINER me") ==
        "Dockerfile:2:9: MAINTAINER isn't allowed as an ONBUILD trigger");
  CHECK(ErrorIn("ONBUILD COPY --chwon=1 a b") ==
        "Dockerfile:2:14: unknown flag: --chwon (did you mean chown?)");
  CHECK(ErrorIn("ONBUILD RUNN x") ==
        "Dockerfile:2:9: unknown instruction: RUNN (did you mean RUN?)");
}

TEST_CASE("errors carry the source line for the caret") {
  auto r = ParseInstructions(Lines({"FROM alpine:3.20", "COPY --chwon=1000 src /app"}).ast());
  REQUIRE_FALSE(r);
  CHECK(r.error().Describe() ==
        "Dockerfile:2:6: unknown flag: --chwon (did you mean chown?)\n"
        "  COPY --chwon=1000 src /app\n"
        "       ^");
}

TEST_CASE("warnings and directives are carried over") {
  FakeAst f = Lines({"FROM a"});
  f.ast().directives.syntax = "docker/dockerfile:1";
  f.ast().directives.escape = '`';
  f.ast().warnings.push_back({{1, 1}, "Empty continuation line"});
  Dockerfile df = Parse(f);
  CHECK(df.directives.syntax == "docker/dockerfile:1");
  CHECK(df.directives.escape == '`');
  REQUIRE(df.warnings.size() == 1);
  CHECK(df.file == "Dockerfile");
}

}  // namespace
}  // namespace builder::parser
