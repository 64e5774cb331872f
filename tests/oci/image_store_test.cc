// Tests for ImageStore: layout creation, tags, resolution by name/id/prefix, concurrent tagging.
#include "oci/image_store.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <string>

#include "store_fixture.h"
#include "temp_tree.h"

namespace builder::oci {
namespace {

using testing::GetFile;
using testing::MakeImage;
using testing::Ref;
using testing::TempDir;

TEST_CASE("image store: Open creates an OCI layout and reopens it") {
  TempDir t;
  auto store = ImageStore::Open(t / "root");
  REQUIRE(store);
  CHECK(GetFile(t / "root/oci-layout") == R"({"imageLayoutVersion":"1.0.0"})");
  auto index = store->ReadIndex();
  REQUIRE(index);
  CHECK(index->manifests.empty());
  for (const char* dir : {"blobs/sha256", "tmp", "locks", "snapshots"}) {
    CHECK(testing::Exists(t / ("root/" + std::string(dir))));
  }
  Descriptor m = MakeImage(*store, {"a"});
  REQUIRE(store->Tag(m, Ref("app:1.0")));
  auto again = ImageStore::Open(t / "root");
  REQUIRE(again);
  auto images = again->List();
  REQUIRE(images);
  REQUIRE(images->size() == 1);
  CHECK(GetFile(t / "root/index.json").find("\"docker.io/library/app:1.0\"") != std::string::npos);
  REQUIRE(testing::PutFile(t / "root/oci-layout", R"({"imageLayoutVersion":"2.0.0"})"));
  CHECK(ImageStore::Open(t / "root").error().code() == ErrorCode::kCorrupt);
}

TEST_CASE("image store: DefaultRoot follows BUILDER_ROOT, XDG_DATA_HOME and HOME") {
  const char* saved = std::getenv("BUILDER_ROOT");
  std::string saved_value = saved ? saved : "";
  ::setenv("BUILDER_ROOT", "/x/y/", 1);
  CHECK(*ImageStore::DefaultRoot() == "/x/y");
  ::unsetenv("BUILDER_ROOT");
  if (::geteuid() == 0) {
    CHECK(*ImageStore::DefaultRoot() == "/var/lib/builder");
  } else {
    ::setenv("XDG_DATA_HOME", "/data", 1);
    CHECK(*ImageStore::DefaultRoot() == "/data/builder");
    ::unsetenv("XDG_DATA_HOME");
    CHECK(ImageStore::DefaultRoot()->ends_with("/.local/share/builder"));
  }
  if (saved) ::setenv("BUILDER_ROOT", saved_value.c_str(), 1);
}

TEST_CASE("image store: tag, resolve by reference, id and prefix; untag") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  Descriptor m1 = MakeImage(*store, {"layer one"}, "2020-01-01T00:00:00Z");
  Descriptor m2 = MakeImage(*store, {"layer one", "layer two"}, "2021-01-01T00:00:00Z");
  REQUIRE(store->Tag(m1, Ref("app:1.0")));
  REQUIRE(store->Tag(m1, Ref("docker.io/library/app:stable")));
  REQUIRE(store->Tag(m2, Ref("example.com/team/tool")));

  auto a = store->Resolve("app:1.0");
  REQUIRE(a);
  CHECK(a->digest() == m1.digest);
  CHECK(a->tags.size() == 2);
  CHECK(a->Size() == a->manifest.config.size + 9);
  CHECK(store->Resolve("docker.io/library/app:stable")->digest() == m1.digest);
  CHECK(store->Resolve("example.com/team/tool:latest")->digest() == m2.digest);
  CHECK(store->Resolve("example.com/team/tool")->digest() == m2.digest);
  CHECK(store->Resolve("app").error().code() == ErrorCode::kNotFound);  // no :latest
  CHECK(store->Resolve("app:2.0").error().message() == "No such image: app:2.0");
  CHECK(store->Resolve("app@" + m1.digest.str())->digest() == m1.digest);
  CHECK(store->Resolve("other@" + m1.digest.str()).error().code() == ErrorCode::kNotFound);

  const Digest id = a->id();
  CHECK(store->Resolve(id.str())->digest() == m1.digest);
  CHECK(store->Resolve(std::string(id.hex()))->digest() == m1.digest);
  CHECK(store->Resolve(id.ShortId())->digest() == m1.digest);
  CHECK(store->Resolve("sha256:" + id.ShortId())->digest() == m1.digest);
  CHECK(store->Resolve("sha256:" + std::string(64, '0')).error().code() == ErrorCode::kNotFound);
  CHECK(store->Resolve("Bad Name!").error().code() == ErrorCode::kInvalidArgument);

  auto last = store->Untag(Ref("app:1.0"));
  REQUIRE(last);
  CHECK_FALSE(*last);
  CHECK(store->Untag(Ref("app:1.0")).error().code() == ErrorCode::kNotFound);
  last = store->Untag(Ref("app:stable"));
  REQUIRE(last);
  CHECK(*last);
  auto images = store->List();
  REQUIRE(images);
  REQUIRE(images->size() == 1);
  CHECK((*images)[0].digest() == m2.digest);
  CHECK(store->Tag(m1, Ref("app@" + m1.digest.str())).error().code() ==
        ErrorCode::kInvalidArgument);
  Descriptor missing = m1;
  missing.digest = Digest::Of("nothing");
  CHECK(store->Tag(missing, Ref("app:x")).error().code() == ErrorCode::kNotFound);
}

TEST_CASE("image store: re-tagging an image where it is leaves index.json untouched") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  Descriptor m = MakeImage(*store, {"layer"}, "2020-01-01T00:00:00Z");
  REQUIRE(store->Tag(m, Ref("app:1.0")));
  struct stat before;
  REQUIRE(::stat((t / "index.json").c_str(), &before) == 0);
  REQUIRE(store->Tag(m, Ref("app:1.0")));
  struct stat after;
  REQUIRE(::stat((t / "index.json").c_str(), &after) == 0);
  CHECK(after.st_ino == before.st_ino);  // not replaced by a rename
  REQUIRE(store->Tag(m, Ref("app:2.0")));
  REQUIRE(::stat((t / "index.json").c_str(), &after) == 0);
  CHECK(after.st_ino != before.st_ino);
}

TEST_CASE("image store: an ambiguous id prefix is an error") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  // Make images until two ids share a first hex digit.
  std::map<char, Digest> by_first;
  std::string shared;
  for (int i = 0; i < 40 && shared.empty(); ++i) {
    Descriptor m = MakeImage(*store, {}, "2020-01-01T00:00:" + std::to_string(10 + i) + "Z");
    REQUIRE(store->Tag(m, Ref("img:" + std::to_string(i))));
    Digest id = store->Resolve("img:" + std::to_string(i))->id();
    char c = id.hex()[0];
    if (by_first.contains(c)) shared = std::string(1, c);
    by_first.emplace(c, id);
  }
  REQUIRE_FALSE(shared.empty());
  auto r = store->Resolve(shared);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kInvalidArgument);
  CHECK(r.error().message().find("ambiguous") != std::string::npos);
}

TEST_CASE("image store: a moved tag leaves the old image untagged; RemoveImage drops it") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  Descriptor m1 = MakeImage(*store, {"one"}, "2020-01-01T00:00:00Z");
  Descriptor m2 = MakeImage(*store, {"two"}, "2020-01-02T00:00:00Z");
  REQUIRE(store->Tag(m1, Ref("app")));
  REQUIRE(store->Tag(m1, Ref("app")));  // idempotent
  REQUIRE(store->Tag(m2, Ref("app")));
  auto images = store->List();
  REQUIRE(images);
  REQUIRE(images->size() == 2);
  CHECK((*images)[0].digest() == m1.digest);
  CHECK((*images)[0].tags.empty());
  CHECK((*images)[1].tags == std::vector<Reference>{Ref("app:latest")});
  // Tagging the dangling image again replaces its unnamed entry.
  REQUIRE(store->Tag(m1, Ref("app:old")));
  CHECK(store->ReadIndex()->manifests.size() == 2);
  REQUIRE(store->AddUntagged(m1));  // already listed (tagged): no new entry
  CHECK(store->ReadIndex()->manifests.size() == 2);
  REQUIRE(store->RemoveImage(m1.digest));
  CHECK(store->List()->size() == 1);
  CHECK(store->RemoveImage(m1.digest).error().code() == ErrorCode::kNotFound);
  REQUIRE(store->AddUntagged(m1));
  REQUIRE(store->AddUntagged(m1));
  auto listed = store->List();
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[1].tags.empty());
  Descriptor missing = m1;
  missing.digest = Digest::Of("absent");
  CHECK(store->AddUntagged(missing).error().code() == ErrorCode::kNotFound);
}

TEST_CASE("image store: RemoveDangling drops the images no tag names, nothing else") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  Descriptor m1 = MakeImage(*store, {"one"}, "2020-01-01T00:00:00Z");
  Descriptor m2 = MakeImage(*store, {"two"}, "2020-01-02T00:00:00Z");
  Descriptor m3 = MakeImage(*store, {"three"}, "2020-01-03T00:00:00Z");
  REQUIRE(store->Tag(m1, Ref("app")));
  REQUIRE(store->Tag(m2, Ref("app")));  // m1 dangles
  REQUIRE(store->AddUntagged(m3));      // loaded without a name: dangles too
  REQUIRE(store->Tag(m2, Ref("app:2")));
  CHECK(store->List()->size() == 3);
  auto removed = store->RemoveDangling();
  REQUIRE(removed);
  CHECK(*removed == 2);
  auto left = store->List();
  REQUIRE(left);
  REQUIRE(left->size() == 1);
  CHECK((*left)[0].digest() == m2.digest);
  CHECK((*left)[0].tags.size() == 2);
  auto again = store->RemoveDangling();
  REQUIRE(again);
  CHECK(*again == 0);
}

TEST_CASE("image store: Docker format writes schema-2 media types") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  Descriptor m = MakeImage(*store, {"x"}, "2020-01-01T00:00:00Z", ImageFormat::kDocker);
  CHECK(m.media_type == kDockerManifest);
  REQUIRE(store->Tag(m, Ref("d:1")));
  auto image = store->Resolve("d:1");
  REQUIRE(image);
  CHECK(image->manifest.config.media_type == kDockerConfig);
  CHECK(image->manifest.layers.at(0).media_type == kDockerLayerTar);
  ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  CHECK(store->WriteImage(config, image->manifest.layers).error().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("image store: concurrent Tag from several processes loses no tag") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  Descriptor m = MakeImage(*store, {"shared"});
  constexpr int kProcs = 4, kTags = 15;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto mine = ImageStore::Open(t.path());
      if (!mine) ::_exit(2);
      for (int i = 0; i < kTags; ++i) {
        auto ref = Reference::ParseDockerRef("p" + std::to_string(p) + ":" + std::to_string(i));
        if (!ref || !mine->Tag(m, *ref)) ::_exit(1);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto images = store->List();
  REQUIRE(images);
  REQUIRE(images->size() == 1);
  CHECK((*images)[0].tags.size() == kProcs * kTags);
}

}  // namespace
}  // namespace builder::oci

namespace builder::oci {
namespace {

TEST_CASE("image store: a damaged image does not hide the others and can be untagged") {
  TempDir t;
  auto store = ImageStore::Open(t.path());
  REQUIRE(store);
  Descriptor good = MakeImage(*store, {"good"});
  Descriptor bad = MakeImage(*store, {"bad"}, "2021-01-01T00:00:00Z");
  REQUIRE(store->Tag(good, Ref("good")));
  REQUIRE(store->Tag(bad, Ref("bad")));
  REQUIRE(testing::PutFile(store->blobs().PathOf(bad.digest), "{\"schemaVersion\":2}"));
  CHECK(store->List().error().code() == ErrorCode::kCorrupt);
  std::vector<Error> damaged;
  auto images = store->List(&damaged);
  REQUIRE(images);
  CHECK(images->size() == 1);
  REQUIRE(damaged.size() == 1);
  CHECK(damaged[0].ToString().find(bad.digest.str()) != std::string::npos);
  CHECK(store->Resolve("good"));
  auto r = store->Resolve("bad");
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kCorrupt);
  CHECK(*store->Untag(Ref("bad")));
  CHECK(store->List());
}

}  // namespace
}  // namespace builder::oci
