// The checks over parsed Dockerfiles: each rule fires where BuildKit's does and stays quiet
// where BuildKit's does.
#include "linter/dockerfile_checks.h"

#include <doctest/doctest.h>

#include "parser/ast.h"

namespace builder::linter {
namespace {

// "Rule@line: detail" for every finding of text.
std::vector<std::string> Check(const std::string& text, CheckInput input = {}) {
  auto ast = parser::ParseDockerfile(text, "Dockerfile");
  REQUIRE(ast);
  auto df = parser::ParseInstructions(*ast);
  REQUIRE(df);
  input.dockerfile = &*df;
  Linter lint(*ParseLintConfig(df->directives.check.value_or("")));
  auto r = CheckDockerfile(input, lint);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
  std::vector<std::string> out;
  for (const Finding& f : lint.findings())
    out.push_back(f.rule + "@" + std::to_string(f.start_line) + ": " + f.detail);
  return out;
}

TEST_CASE("a clean Dockerfile has no findings") {
  CHECK(Check("FROM scratch AS build\nARG V=1\nENV A=$V\nWORKDIR /app\nCOPY . .\nCMD [\"x\"]\n").empty());
}

TEST_CASE("secret-looking ARG and ENV keys, with the public allowance") {
  auto f = Check("FROM scratch\nARG GITHUB_TOKEN\nARG PUBLIC_KEY\nENV AWS_SECRET_ACCESS_KEY=x TOKENS=1 keyring=2\n");
  REQUIRE(f.size() == 2);
  CHECK(f[0] == "SecretsUsedInArgOrEnv@2: Do not use ARG or ENV instructions for sensitive data (ARG \"GITHUB_TOKEN\")");
  CHECK(f[1] == "SecretsUsedInArgOrEnv@4: Do not use ARG or ENV instructions for sensitive data (ENV \"AWS_SECRET_ACCESS_KEY\")");
}

TEST_CASE("UndefinedVar: ENV words expand before any is set, ARG without value still declares") {
  auto f = Check("FROM scratch\nARG NOVALUE\nENV A=1 B=$A\nLABEL x=$NOVALUE y=$B\n");
  REQUIRE(f.size() == 1);
  CHECK(f[0] == "UndefinedVar@3: Usage of undefined variable '$A'");
}

TEST_CASE("UndefinedVar: meta ARGs need redeclaring, base image Env counts, RUN is not checked") {
  CheckInput in;
  in.resolve_base = [](const std::string& image) -> Result<std::optional<BaseImageInfo>> {
    CHECK(image == "img:1");
    return std::optional<BaseImageInfo>(BaseImageInfo{{"GOPATH=/go"}, {}});
  };
  auto f = Check("ARG TAG=1\nFROM img:$TAG\nRUN echo $NOPE\nWORKDIR $GOPATH/src\nENV X=$TAG\nARG TAG\nENV Y=$TAG\n",
                 in);
  REQUIRE(f.size() == 1);
  CHECK(f[0] == "UndefinedVar@5: Usage of undefined variable '$TAG'");
}

TEST_CASE("a stage inherits its base stage's variables, workdir and shell") {
  auto f = Check("FROM scratch AS a\nENV A=1\nWORKDIR /x\nSHELL [\"/bin/bash\",\"-c\"]\n"
                 "FROM a\nENV B=$A\nWORKDIR rel\nCMD run\n");
  CHECK(f.empty());
}

TEST_CASE("MultipleInstructionsDisallowed points at the instruction that is overridden") {
  auto f = Check("FROM scratch\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\nFROM scratch\nENTRYPOINT [\"c\"]\n");
  REQUIRE(f.size() == 1);
  CHECK(f[0] == "MultipleInstructionsDisallowed@2: Multiple ENTRYPOINT instructions should not be used in the same "
                "stage because only the last one will be used");
}

TEST_CASE("casing: FROM/AS, stage names, and the instruction majority (ties go upper)") {
  auto f = Check("FROM scratch as Build\nrun true\n");
  REQUIRE(f.size() == 3);
  CHECK(f[0] == "StageNameCasing@1: Stage name 'Build' should be lowercase");
  CHECK(f[1] == "FromAsCasing@1: 'as' and 'FROM' keywords' casing do not match");
  CHECK(f[2] == "ConsistentInstructionCasing@2: Command 'run' should match the case of the command majority (uppercase)");
  CHECK(Check("from scratch as build\nrun true\n").empty());
}

TEST_CASE("FROM arguments: undeclared with suggestion, invalid default, constant platform") {
  CheckInput in;
  in.build_args = {{"IMG", "scratch"}};
  auto f = Check("ARG IMG\nARG VERSION=1\nFROM $IMG\nFROM scratch:${VERSON}\n"
                 "FROM --platform=linux/amd64 scratch AS amd64-tools\nFROM --platform=linux/amd64 scratch\n",
                 in);
  REQUIRE(f.size() == 4);
  CHECK(f[0] == "InvalidDefaultArgInFrom@3: Default value for ARG $IMG results in empty or invalid base image name");
  CHECK(f[1] == "InvalidDefaultArgInFrom@4: Default value for ARG scratch:${VERSON} results in empty or invalid base image name");
  CHECK(f[2] == "UndefinedArgInFrom@4: FROM argument 'VERSON' is not declared (did you mean VERSION?)");
  CHECK(f[3] == "FromPlatformFlagConstDisallowed@6: FROM --platform flag should not use constant value \"linux/amd64\"");
}

TEST_CASE("only the stages asked for are dispatched, text rules cover every stage") {
  CheckInput in;
  in.stages = std::set<std::size_t>{1};
  auto f = Check("FROM scratch AS unused\nCMD a\nMAINTAINER x\nFROM scratch\nCMD b\n", in);
  REQUIRE(f.size() == 2);
  CHECK(f[0] == "MaintainerDeprecated@3: Maintainer instruction is deprecated in favor of using label");
  CHECK(f[1] == "JSONArgsRecommended@5: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals");
}

TEST_CASE("CopyIgnoredFile only from the context, only when asked for") {
  CheckInput in;
  in.ignored = [](const std::string& p) { return p == "secret" || p.starts_with("logs/"); };
  std::string df = "FROM scratch\nCOPY ./secret ok /d/\nCOPY --from=other secret /e\nADD https://x/secret logs//a /f/\n";
  CHECK(Check(df, in).empty());
  auto f = Check("# check=experimental=CopyIgnoredFile\n" + df, in);
  REQUIRE(f.size() == 2);
  CHECK(f[0] == "CopyIgnoredFile@3: Attempting to Copy file \"secret\" that is excluded by .dockerignore");
  CHECK(f[1] == "CopyIgnoredFile@5: Attempting to Add file \"logs/a\" that is excluded by .dockerignore");
}

TEST_CASE("a blank FROM stops the checks with BuildKit's error, keeping what was found") {
  auto ast = parser::ParseDockerfile("ARG I\nFROM scratch as x\nFROM $I\nCMD a\n", "Dockerfile");
  REQUIRE(ast);
  auto df = parser::ParseInstructions(*ast);
  REQUIRE(df);
  CheckInput in;
  in.dockerfile = &*df;
  Linter lint(LintConfig{});
  auto r = CheckDockerfile(in, lint);
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("base name ($I) should not be blank") != std::string::npos);
  CHECK(lint.findings().size() == 2);  // FromAsCasing, InvalidDefaultArgInFrom; CMD never dispatched
}

}  // namespace
}  // namespace builder::linter

namespace builder::linter {
namespace {

// Cases from BuildKit's own frontend/dockerfile/dockerfile_lint_test.go, with the findings it
// expects (rule@line: detail), so these rules match upstream where no engine runs here.
struct UpstreamCase {
  std::string dockerfile;
  std::map<std::string, std::string> build_args;
  std::vector<std::string> want;
};

TEST_CASE("BuildKit's lint test expectations") {
  const std::vector<UpstreamCase> cases = {
      {"\nFROM scratch AS BadStageName\n\nFROM scratch as base2\n\nFROM scratch AS base3\n", {},
       {"StageNameCasing@2: Stage name 'BadStageName' should be lowercase",
        "FromAsCasing@4: 'as' and 'FROM' keywords' casing do not match"}},
      {"\nfrom scratch AS base\n\nfrom scratch as base2\n", {},
       {"FromAsCasing@2: 'AS' and 'from' keywords' casing do not match"}},
      {"\nFrom scratch as base\nFROM scratch AS base2\n", {},
       {"ConsistentInstructionCasing@2: Command 'From' should match the case of the command majority (uppercase)"}},
      {"\nfrOM scratch as base\nfrom scratch as base2\n", {},
       {"ConsistentInstructionCasing@2: Command 'frOM' should match the case of the command majority (lowercase)"}},
      {"\nfrom scratch\nCOPY Dockerfile /foo\ncopy Dockerfile /bar\n", {},
       {"ConsistentInstructionCasing@3: Command 'COPY' should match the case of the command majority (lowercase)"}},
      {"\nFROM scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\ncopy Dockerfile /baz\n", {},
       {"ConsistentInstructionCasing@2: Command 'FROM' should match the case of the command majority (lowercase)"}},
      {"\nFROM scratch\n# warning: empty continuation line\nCOPY Dockerfile \\\n\n.\nCOPY Dockerfile \\\n.\n", {},
       {"NoEmptyContinuation@6: Empty continuation line"}},
      {"\nFROM scratch AS b\nFROM scratch AS b\n", {},
       {"DuplicateStageName@3: Duplicate stage name \"b\", stage names should be unique"}},
      {"\nFROM scratch AS scratch\nFROM scratch AS context\n", {},
       {"ReservedStageName@2: Stage name should not use the same name as reserved stage \"scratch\"",
        "ReservedStageName@3: Stage name should not use the same name as reserved stage \"context\""}},
      {"\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\n\nFROM base\nENTRYPOINT mycommand\n", {}, {}},
      {"\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nCMD mycommand\n", {}, {}},
      {"\nARG base=scratch\nFROM $base\nCOPY Dockerfile .\n", {}, {}},
      {"\nARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n", {}, {}},
      {"\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n", {}, {}},
      {"\nARG tag=latest\nFROM scratch:${tag}${version} AS b\nCOPY Dockerfile .\n", {},
       {"UndefinedArgInFrom@3: FROM argument 'version' is not declared"}},
      {"\nFROM scratch\nWORKDIR app/\n", {},
       {"WorkdirRelativePath@3: Relative workdir \"app/\" can have unexpected results if the base image changes"}},
      {"\nFROM scratch AS a\nWORKDIR /app\n\nFROM a AS b\nWORKDIR subdir/\n", {}, {}},
      {"\nFROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n", {}, {}},
      {"\nFROM scratch AS base\nARG foo=Dockerfile\n\nFROM base\nCOPY $foo .\n", {}, {}},
      {"\nFROM scratch\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n", {},
       {"UndefinedVar@3: Usage of undefined variable '$foo'"}},
      {"\nFROM scratch\nARG DIR_BINARIES=binaries/\nARG DIR_ASSETS=assets/\nARG DIR_CONFIG=config/\nCOPY $DIR_ASSET .\n", {},
       {"UndefinedVar@6: Usage of undefined variable '$DIR_ASSET' (did you mean $DIR_ASSETS?)"}},
      {"\nFROM scratch\nENV PATH=$PAHT:/tmp/bin\n", {},
       {"UndefinedVar@3: Usage of undefined variable '$PAHT' (did you mean $PATH?)"}},
      {"\nFROM scratch\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\nCOPY <<EOF /a.txt\n"
       "Hello, World!\nEOF\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n",
       {},
       {"MultipleInstructionsDisallowed@3: Multiple ENTRYPOINT instructions should not be used in the same stage "
        "because only the last one will be used",
        "MultipleInstructionsDisallowed@4: Multiple CMD instructions should not be used in the same stage because "
        "only the last one will be used",
        "MultipleInstructionsDisallowed@5: Multiple HEALTHCHECK instructions should not be used in the same stage "
        "because only the last one will be used"}},
      {"\nFROM scratch AS a\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\n\nFROM a AS b\nENTRYPOINT [\"/b\"]\nCMD [\"/b\"]\n",
       {}, {}},
      {"\nFROM scratch\nENV testkey value\nLABEL key value\n", {},
       {"LegacyKeyValueFormat@3: \"ENV key=value\" should be used instead of legacy \"ENV key value\" format",
        "LegacyKeyValueFormat@4: \"LABEL key=value\" should be used instead of legacy \"LABEL key value\" format"}},
      {"\nFROM --platform=${TARGETPLATFORM} scratch\n", {},
       {"RedundantTargetPlatform@2: Setting platform to predefined ${TARGETPLATFORM} in FROM is redundant as this "
        "is the default behavior"}},
      {"\nARG VERSION\nFROM scratch:$VERSION\n", {{"VERSION", "latest"}},
       {"InvalidDefaultArgInFrom@3: Default value for ARG scratch:$VERSION results in empty or invalid base image name"}},
      {"\nARG SFX=\"box:\"\nFROM busy${SFX}\n", {{"SFX", "box:latest"}},
       {"InvalidDefaultArgInFrom@3: Default value for ARG busy${SFX} results in empty or invalid base image name"}},
      {"\nARG BUSYBOX_VARIANT\nFROM busybox:stable${BUSYBOX_VARIANT}\n", {{"BUSYBOX_VARIANT", "-musl"}}, {}},
      {"\nFROM --platform=linux/amd64 scratch AS my_amd64_stage\n", {}, {}},
      {"\nFROM --platform=linux/amd64 scratch AS linux\n", {}, {}},
      {"\nFROM scratch\nARG SECRET_PASSPHRASE\nENV SUPER_Secret=foo\nENV password=bar secret=baz\n"
       "ARG super_duper_secret_token=foo auth=bar\nENV apikey=bar sunflower=foo\nENV git_key=\n",
       {},
       {"SecretsUsedInArgOrEnv@3: Do not use ARG or ENV instructions for sensitive data (ARG \"SECRET_PASSPHRASE\")",
        "SecretsUsedInArgOrEnv@4: Do not use ARG or ENV instructions for sensitive data (ENV \"SUPER_Secret\")",
        "SecretsUsedInArgOrEnv@5: Do not use ARG or ENV instructions for sensitive data (ENV \"password\")",
        "SecretsUsedInArgOrEnv@5: Do not use ARG or ENV instructions for sensitive data (ENV \"secret\")",
        "SecretsUsedInArgOrEnv@6: Do not use ARG or ENV instructions for sensitive data (ARG \"super_duper_secret_token\")",
        "SecretsUsedInArgOrEnv@6: Do not use ARG or ENV instructions for sensitive data (ARG \"auth\")",
        "SecretsUsedInArgOrEnv@7: Do not use ARG or ENV instructions for sensitive data (ENV \"apikey\")",
        "SecretsUsedInArgOrEnv@8: Do not use ARG or ENV instructions for sensitive data (ENV \"git_key\")"}},
  };
  for (const UpstreamCase& c : cases) {
    CAPTURE(c.dockerfile);
    CheckInput in;
    in.build_args = c.build_args;
    CHECK(Check(c.dockerfile, in) == c.want);
  }
}

TEST_CASE("an empty or bad FROM --platform stops the checks as BuildKit does") {
  auto ast = parser::ParseDockerfile("\nFROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n", "Dockerfile");
  REQUIRE(ast);
  auto df = parser::ParseInstructions(*ast);
  REQUIRE(df);
  CheckInput in;
  in.dockerfile = &*df;
  Linter lint(LintConfig{});
  auto r = CheckDockerfile(in, lint);
  REQUIRE_FALSE(r);
  CHECK(r.error().message() ==
        "empty platform value from expression $BULIDPLATFORM (did you mean BUILDPLATFORM?)");
  REQUIRE(lint.findings().size() == 1);
  CHECK(lint.findings()[0].detail == "FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)");
}

}  // namespace
}  // namespace builder::linter
