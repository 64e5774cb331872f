// Cache keys: what changes a step's key (content, args, parent) and what does not (mtime).
#include "planner/cache_keys.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>

#include "base/path.h"
#include "base/unique_fd.h"
#include "parser/ast.h"
#include "parser/instructions.h"
#include "planner/planner.h"

namespace builder::planner {
namespace {

struct TempContext {
  std::string dir;
  TempContext() {
    char templ[] = "/tmp/planner-ctx-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    dir = templ;
  }
  ~TempContext() { std::system(("rm -rf '" + dir + "'").c_str()); }
  void Write(const std::string& rel, const std::string& content) {
    REQUIRE(MakeDirs(DirName(dir + "/" + rel)));
    std::ofstream(dir + "/" + rel, std::ios::binary) << content;
  }
};

Step FirstStep(const std::string& dockerfile, PlanOptions options = {}) {
  auto ast = parser::ParseDockerfile(dockerfile, "Dockerfile");
  REQUIRE(ast);
  auto typed = parser::ParseInstructions(*ast);
  REQUIRE(typed);
  auto plan = PlanStage(*typed, *ChooseBase(*typed, options), nullptr, options);
  REQUIRE(plan);
  for (const auto& s : plan->steps)
    if (IsExecStep(s)) return s;
  FAIL("no exec step");
  return {};
}

cache::CacheKey KeyOf(const Step& step, const std::string& dir,
                      const filespec::PatternMatcher* ignore = nullptr) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY));
  cache::FileHashCache hashes;
  auto inputs = HashStepInputs(step, fd.get(), ignore, hashes);
  REQUIRE_MESSAGE(inputs, (inputs ? "" : inputs.error().ToString()));
  return StepKey(BaseKey("scratch", "linux/amd64"), step, *inputs);
}

TEST_CASE("COPY keys follow content, not mtime") {
  TempContext ctx;
  ctx.Write("src/main.c", "int main(){}");
  Step step = FirstStep("FROM scratch\nCOPY src/ /src/\n");
  cache::CacheKey first = KeyOf(step, ctx.dir);
  CHECK(KeyOf(step, ctx.dir) == first);
  struct timespec ts[2] = {{1, 0}, {1, 0}};
  REQUIRE(utimensat(AT_FDCWD, (ctx.dir + "/src/main.c").c_str(), ts, 0) == 0);
  CHECK(KeyOf(step, ctx.dir) == first);
  ctx.Write("src/main.c", "int main(){return 1;}");
  CHECK(KeyOf(step, ctx.dir) != first);
  REQUIRE(chmod((ctx.dir + "/src/main.c").c_str(), 0755) == 0);
  cache::CacheKey exec = KeyOf(step, ctx.dir);
  REQUIRE(chmod((ctx.dir + "/src/main.c").c_str(), 0644) == 0);
  CHECK(KeyOf(step, ctx.dir) != exec);
}

TEST_CASE("ignored files do not reach the key; an ignored source is not found") {
  TempContext ctx;
  ctx.Write("app/a.txt", "a");
  ctx.Write("app/debug.log", "1");
  auto matcher = filespec::PatternMatcher::Create({"app/*.log"});
  REQUIRE(matcher);
  Step step = FirstStep("FROM scratch\nCOPY app /app\n");
  cache::CacheKey first = KeyOf(step, ctx.dir, &*matcher);
  ctx.Write("app/debug.log", "2");
  CHECK(KeyOf(step, ctx.dir, &*matcher) == first);
  ctx.Write("app/a.txt", "b");
  CHECK(KeyOf(step, ctx.dir, &*matcher) != first);

  Step logs = FirstStep("FROM scratch\nCOPY app/debug.log /x\n");
  UniqueFd fd(open(ctx.dir.c_str(), O_RDONLY | O_DIRECTORY));
  cache::FileHashCache hashes;
  auto r = HashStepInputs(logs, fd.get(), &*matcher, hashes);
  REQUIRE(!r);
  CHECK(r.error().code() == ErrorCode::kNotFound);
  CHECK(r.error().message() == "\"/app/debug.log\": not found");
}

TEST_CASE("a changed file is named from the context root in the inputs") {
  TempContext ctx;
  ctx.Write("src/main.c", "x");
  Step step = FirstStep("FROM scratch\nCOPY src/ /src/\n");
  UniqueFd fd(open(ctx.dir.c_str(), O_RDONLY | O_DIRECTORY));
  cache::FileHashCache hashes;
  auto inputs = HashStepInputs(step, fd.get(), nullptr, hashes);
  REQUIRE(inputs);
  REQUIRE(inputs->trees.count("COPY src/") == 1);
  CHECK(inputs->trees.at("COPY src/").entries.count("src/main.c") == 1);
}

TEST_CASE("RUN keys change with build args, parents and the command") {
  TempContext ctx;
  PlanOptions v1, v2;
  v1.build_args["V"] = "1";
  v2.build_args["V"] = "2";
  Step a = FirstStep("FROM scratch\nARG V\nRUN make\n", v1);
  Step b = FirstStep("FROM scratch\nARG V\nRUN make\n", v2);
  CHECK(KeyOf(a, ctx.dir) != KeyOf(b, ctx.dir));
  CHECK(KeyOf(a, ctx.dir) == KeyOf(FirstStep("FROM scratch\nARG V\nRUN make\n", v1), ctx.dir));
  CHECK(KeyOf(a, ctx.dir) != KeyOf(FirstStep("FROM scratch\nARG V\nRUN make all\n", v1), ctx.dir));
  cache::StepInputs none;
  CHECK(StepKey(BaseKey("scratch", "linux/amd64"), a, none) !=
        StepKey(BaseKey("sha256:00", "linux/amd64"), a, none));
}

TEST_CASE("the linked parent is one fixed key, apart from every base") {
  CHECK(LinkedParentKey() == LinkedParentKey());
  CHECK(LinkedParentKey() != BaseKey("scratch", "linux/amd64"));
  CHECK(LinkedParentKey() != BaseKey("", ""));
}

cache::StepInputs InputsOf(const Step& step, const std::string& dir) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY));
  cache::FileHashCache hashes;
  auto inputs = HashStepInputs(step, fd.get(), nullptr, hashes);
  REQUIRE_MESSAGE(inputs, (inputs ? "" : inputs.error().ToString()));
  return *inputs;
}

TEST_CASE("a wildcard source is keyed on its matches, not their directory") {
  TempContext ctx;
  ctx.Write("src/a.c", "a");
  ctx.Write("src/README", "r");
  Step step = FirstStep("FROM scratch\nCOPY src/*.c /out/\n");
  cache::CacheKey first = KeyOf(step, ctx.dir);
  ctx.Write("src/README", "changed");
  ctx.Write("src/notes.txt", "new but unmatched");
  CHECK(KeyOf(step, ctx.dir) == first);

  ctx.Write("src/a.c", "changed");
  cache::CacheKey changed = KeyOf(step, ctx.dir);
  CHECK(changed != first);
  cache::StepInputs inputs = InputsOf(step, ctx.dir);
  REQUIRE(inputs.trees.count("COPY src/*.c") == 1);
  const auto& entries = inputs.trees.at("COPY src/*.c").entries;
  CHECK(entries.count("src/a.c") == 1);
  CHECK(entries.count("src/README") == 0);
  CHECK(entries.count("src/notes.txt") == 0);

  // A new match is a new input, even an empty file.
  ctx.Write("src/b.c", "");
  CHECK(KeyOf(step, ctx.dir) != changed);
}

TEST_CASE("a top-level wildcard and a matched directory") {
  TempContext ctx;
  ctx.Write("package.json", "{}");
  ctx.Write("main.go", "package main");
  ctx.Write("conf.d/x.json", "1");
  Step step = FirstStep("FROM scratch\nCOPY *.json conf* ./\n");
  cache::CacheKey first = KeyOf(step, ctx.dir);
  ctx.Write("main.go", "package main // edited");
  CHECK(KeyOf(step, ctx.dir) == first);
  ctx.Write("conf.d/x.json", "2");
  cache::CacheKey second = KeyOf(step, ctx.dir);
  CHECK(second != first);
  REQUIRE(MakeDirs(ctx.dir + "/conf.empty"));
  CHECK(KeyOf(step, ctx.dir) != second);
  cache::StepInputs inputs = InputsOf(step, ctx.dir);
  CHECK(inputs.trees.at("COPY conf*").entries.count("conf.empty") == 1);
  CHECK(inputs.trees.at("COPY conf*").entries.count("conf.d/x.json") == 1);
}

TEST_CASE("a wildcard matching nothing is not found") {
  TempContext ctx;
  ctx.Write("a.txt", "a");
  Step step = FirstStep("FROM scratch\nCOPY *.c /d/\n");
  UniqueFd fd(open(ctx.dir.c_str(), O_RDONLY | O_DIRECTORY));
  cache::FileHashCache hashes;
  auto r = HashStepInputs(step, fd.get(), nullptr, hashes);
  REQUIRE(!r);
  CHECK(r.error().code() == ErrorCode::kNotFound);
  CHECK(r.error().message() == "\"/*.c\": not found");
}

TEST_CASE("--exclude'd paths do not reach the key") {
  TempContext ctx;
  ctx.Write("app/main.c", "m");
  ctx.Write("app/docs/guide.md", "g");
  ctx.Write("app/NOTES.md", "n");
  Step step = FirstStep("FROM scratch\nCOPY --exclude=*.md --exclude=docs app /app\n");
  cache::CacheKey first = KeyOf(step, ctx.dir);
  ctx.Write("app/NOTES.md", "changed");
  ctx.Write("app/docs/guide.md", "changed");
  ctx.Write("app/docs/new.txt", "new");
  CHECK(KeyOf(step, ctx.dir) == first);
  ctx.Write("app/main.c", "changed");
  CHECK(KeyOf(step, ctx.dir) != first);

  // With wildcards, each matched file is judged by its name.
  Step wild = FirstStep("FROM scratch\nCOPY --exclude=*.md app/* /app/\n");
  cache::CacheKey w1 = KeyOf(wild, ctx.dir);
  ctx.Write("app/NOTES.md", "again");
  CHECK(KeyOf(wild, ctx.dir) == w1);
  ctx.Write("app/docs/new.txt", "changed");
  CHECK(KeyOf(wild, ctx.dir) != w1);
}

TEST_CASE("a symlinked source is keyed on what it names inside the context") {
  TempContext ctx;
  ctx.Write("etc/passwd", "one");
  REQUIRE(symlink("/etc/passwd", (ctx.dir + "/link").c_str()) == 0);
  Step step = FirstStep("FROM scratch\nCOPY link /x\n");
  cache::CacheKey first = KeyOf(step, ctx.dir);
  ctx.Write("etc/passwd", "two");
  CHECK(KeyOf(step, ctx.dir) != first);
  CHECK(InputsOf(step, ctx.dir).trees.at("COPY link").entries.count("link") == 1);
}

TEST_CASE("ADD <url> without --checksum misses until its download is known, then keys on it") {
  TempContext ctx;
  Step step = FirstStep("FROM scratch\nADD http://127.0.0.1:1/f.txt /f\n");
  cache::StepInputs unknown = InputsOf(step, ctx.dir);
  CHECK(unknown.hashes.at("ADD http://127.0.0.1:1/f.txt").starts_with("uncacheable-"));

  auto key = [&](std::string_view digest, std::optional<std::int64_t> modified) {
    cache::StepInputs inputs = InputsOf(step, ctx.dir);
    SetFetchedUrlInput(inputs, "http://127.0.0.1:1/f.txt", digest, modified);
    return StepKey(BaseKey("scratch", "linux/amd64"), step, inputs);
  };
  cache::CacheKey a = key("sha256:aa", 100);
  CHECK(key("sha256:aa", 100) == a);
  CHECK(key("sha256:bb", 100) != a);
  CHECK(key("sha256:aa", 101) != a);
  CHECK(key("sha256:aa", std::nullopt) != a);

  cache::StepInputs inputs;
  SetFetchedUrlInput(inputs, "http://h/f", "sha256:aa", 100);
  cache::StepInputs changed;
  SetFetchedUrlInput(changed, "http://h/f", "sha256:bb", 100);
  auto diff = cache::DiffTrees(inputs.trees.at("ADD http://h/f"), changed.trees.at("ADD http://h/f"));
  REQUIRE(diff.size() == 1);
  CHECK(cache::DescribeChanges(diff, 1) == "content changed");
}

}  // namespace
}  // namespace builder::planner
