// ResolveNamedContexts: the three --build-context forms, their errors, and dir digests that
// follow the content and the dir's own .dockerignore.
#include "executor/named_contexts.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include "base/path.h"
#include "oci/remove_tree.h"

namespace builder::executor {
namespace {

struct Scratch {
  std::string path;
  Scratch() {
    char templ[] = "/tmp/named-contexts-test-XXXXXX";
    REQUIRE(mkdtemp(templ));
    path = templ;
  }
  ~Scratch() { (void)oci::RemoveTree(path); }
};

std::string Error(const Result<planner::NamedContexts>& r) { return r ? "" : r.error().ToString(); }

TEST_CASE("--build-context: forms and errors") {
  Scratch t;
  auto store = oci::ImageStore::Open(t.path + "/store");
  REQUIRE(store);
  std::string dir = t.path + "/ctx";
  REQUIRE(MakeDirs(dir + "/sub"));
  REQUIRE(WriteFileAtomic(dir + "/sub/a", "one"));
  auto got = ResolveNamedContexts(*store, {"img=docker-image://busybox:1.36", "src=" + dir});
  REQUIRE_MESSAGE(got, Error(got));
  CHECK(got->at("img").image == "busybox:1.36");
  CHECK(got->at("img").dir.empty());
  CHECK(got->at("src").dir == dir);
  std::string first = got->at("src").dir_digest;
  CHECK(!first.empty());

  // The digest follows the content, but not what the dir's .dockerignore leaves out.
  REQUIRE(WriteFileAtomic(dir + "/.dockerignore", "*.log\n"));
  auto with_ignore = ResolveNamedContexts(*store, {"src=" + dir});
  REQUIRE(with_ignore);
  std::string ignored = with_ignore->at("src").dir_digest;
  REQUIRE(WriteFileAtomic(dir + "/x.log", "noise"));
  CHECK(ResolveNamedContexts(*store, {"src=" + dir})->at("src").dir_digest == ignored);
  REQUIRE(WriteFileAtomic(dir + "/sub/a", "two"));
  CHECK(ResolveNamedContexts(*store, {"src=" + dir})->at("src").dir_digest != ignored);

  CHECK(Error(ResolveNamedContexts(*store, {"noequals"})).find("expected NAME=VALUE") != std::string::npos);
  CHECK(Error(ResolveNamedContexts(*store, {"=x"})).find("expected NAME=VALUE") != std::string::npos);
  CHECK(Error(ResolveNamedContexts(*store, {"a=" + dir, "a=" + dir})).find("given twice") != std::string::npos);
  CHECK(Error(ResolveNamedContexts(*store, {"g=https://example.invalid/x.git"})).find("unsupported source") !=
        std::string::npos);
  CHECK(Error(ResolveNamedContexts(*store, {"m=" + t.path + "/missing"})).find("--build-context m") !=
        std::string::npos);
  CHECK(Error(ResolveNamedContexts(*store, {"f=" + dir + "/sub/a"})).find("is not a directory") != std::string::npos);
  CHECK(Error(ResolveNamedContexts(*store, {"l=oci-layout://" + t.path + "/nolayout:v1"})).find("--build-context l") !=
        std::string::npos);
  CHECK(!ResolveNamedContexts(*store, {"bad=docker-image://UPPER/Case"}));
}

}  // namespace
}  // namespace builder::executor
