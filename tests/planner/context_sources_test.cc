// Expanding COPY/ADD sources against a context: wildcards, ignores, symlinks that stay inside.
#include "planner/context_sources.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>

#include "base/path.h"
#include "base/unique_fd.h"

namespace builder::planner {
namespace {

struct Context {
  std::string dir;
  UniqueFd fd;
  Context() {
    char templ[] = "/tmp/ctx-sources-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    dir = templ;
    fd = UniqueFd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd);
  }
  ~Context() { std::system(("rm -rf '" + dir + "'").c_str()); }
  void Write(const std::string& rel, const std::string& content = "x") {
    REQUIRE(MakeDirs(DirName(dir + "/" + rel)));
    std::ofstream(dir + "/" + rel, std::ios::binary) << content;
  }
  void Link(const std::string& rel, const std::string& target) {
    REQUIRE(MakeDirs(DirName(dir + "/" + rel)));
    REQUIRE(symlink(target.c_str(), (dir + "/" + rel).c_str()) == 0);
  }
  std::vector<std::string> Paths(const std::string& source,
                                 const filespec::PatternMatcher* ignore = nullptr) {
    auto r = ExpandContextSource(fd.get(), source, ignore);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
    std::vector<std::string> out;
    for (const auto& s : *r) out.push_back(s.path);
    return out;
  }
};

TEST_CASE("plain sources are cleaned and must exist") {
  Context ctx;
  ctx.Write("src/a.c");
  CHECK(ctx.Paths("src/a.c") == std::vector<std::string>{"src/a.c"});
  CHECK(ctx.Paths("/src/../src/a.c") == std::vector<std::string>{"src/a.c"});
  CHECK(ctx.Paths(".") == std::vector<std::string>{"."});
  auto missing = ExpandContextSource(ctx.fd.get(), "src/b.c", nullptr);
  REQUIRE(!missing);
  CHECK(missing.error().code() == ErrorCode::kNotFound);
  CHECK(missing.error().message() == "\"/src/b.c\": not found");
}

TEST_CASE("wildcards match per component, sorted, without ignored entries") {
  Context ctx;
  ctx.Write("src/b.c");
  ctx.Write("src/a.c");
  ctx.Write("src/sub/c.c");
  ctx.Write("src/README");
  ctx.Write("lib/x/d.c");
  CHECK(ctx.Paths("src/*.c") == std::vector<std::string>{"src/a.c", "src/b.c"});
  CHECK(ctx.Paths("*/*/*.c") == std::vector<std::string>{"lib/x/d.c", "src/sub/c.c"});
  CHECK(ctx.Paths("src/?.c") == std::vector<std::string>{"src/a.c", "src/b.c"});
  auto ignore = filespec::PatternMatcher::Create({"src/b.c"});
  REQUIRE(ignore);
  CHECK(ctx.Paths("src/*.c", &*ignore) == std::vector<std::string>{"src/a.c"});
  auto none = ExpandContextSource(ctx.fd.get(), "src/*.h", nullptr);
  REQUIRE(!none);
  CHECK(none.error().message() == "\"/src/*.h\": not found");
  auto ignored = ExpandContextSource(ctx.fd.get(), "src/b.c", &*ignore);
  REQUIRE(!ignored);
  CHECK(ignored.error().code() == ErrorCode::kNotFound);
}

TEST_CASE("a wildcard below a symlinked directory stays in the context") {
  Context ctx;
  ctx.Write("real/a.c");
  ctx.Link("alias", "real");
  ctx.Link("escape", "/etc");
  CHECK(ctx.Paths("alias/*.c") == std::vector<std::string>{"alias/a.c"});
  // /etc is taken inside the context, where there is none: no match, never the host's.
  auto r = ExpandContextSource(ctx.fd.get(), "escape/pass*", nullptr);
  REQUIRE(!r);
  CHECK(r.error().code() == ErrorCode::kNotFound);
}

TEST_CASE("source symlinks resolve as if the context were the root") {
  Context ctx;
  ctx.Write("etc/passwd", "context passwd");
  ctx.Write("x");
  ctx.Link("abs", "/etc/passwd");
  ctx.Link("up", "../../x");
  ctx.Link("dirlink", "/etc");
  ctx.Link("sub/rel", "../etc/./passwd");
  auto resolved = [&](const std::string& source) {
    auto r = ExpandContextSource(ctx.fd.get(), source, nullptr);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().ToString()));
    REQUIRE(r->size() == 1);
    return r->front();
  };
  CHECK(resolved("abs") == ContextSource{"abs", "etc/passwd"});
  CHECK(resolved("up") == ContextSource{"up", "x"});
  CHECK(resolved("dirlink/passwd") == ContextSource{"dirlink/passwd", "etc/passwd"});
  CHECK(resolved("sub/rel") == ContextSource{"sub/rel", "etc/passwd"});
  CHECK(resolved("etc") == ContextSource{"etc", "etc"});
}

TEST_CASE("a source link to what the context lacks is not found under the target's name") {
  Context ctx;
  ctx.Link("link", "/etc/passwd");
  ctx.Link("loop1", "loop2");
  ctx.Link("loop2", "loop1");
  ctx.Link("climb", "gone/../../../../etc/hostname");
  auto r = ExpandContextSource(ctx.fd.get(), "link", nullptr);
  REQUIRE(!r);
  CHECK(r.error().code() == ErrorCode::kNotFound);
  CHECK(r.error().message() == "\"/etc/passwd\": not found");
  auto climbed = ExpandContextSource(ctx.fd.get(), "climb", nullptr);
  REQUIRE(!climbed);
  CHECK(climbed.error().message() == "\"/etc/hostname\": not found");
  ctx.Write("secret", "s");
  ctx.Link("to-secret", "secret");
  auto ignore = filespec::PatternMatcher::Create({"secret"});
  REQUIRE(ignore);
  auto ignored = ExpandContextSource(ctx.fd.get(), "to-secret", &*ignore);
  REQUIRE(!ignored);
  CHECK(ignored.error().message() == "\"/secret\": not found");
  auto loop = ExpandContextSource(ctx.fd.get(), "loop1", nullptr);
  REQUIRE(!loop);
  CHECK(loop.error().sys_errno() == ELOOP);
}

}  // namespace
}  // namespace builder::planner
