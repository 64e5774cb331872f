// Cache keys: what changes a step's key (content, args, parent) and what does not (mtime).
#include "planner/cache_keys.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

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
                      const parser::PatternMatcher* ignore = nullptr) {
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
  auto matcher = parser::PatternMatcher::Create({"app/*.log"});
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

TEST_CASE("wildcard sources are hashed through their directory") {
  TempContext ctx;
  ctx.Write("a.txt", "a");
  ctx.Write("other.bin", "o");
  Step step = FirstStep("FROM scratch\nCOPY *.txt /d/\n");
  cache::CacheKey first = KeyOf(step, ctx.dir);
  ctx.Write("b.txt", "b");
  CHECK(KeyOf(step, ctx.dir) != first);
}

}  // namespace
}  // namespace builder::planner
