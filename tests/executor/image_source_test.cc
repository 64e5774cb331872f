// Tests for ImageSource: pulls of missing images, --pull on moved tags, memory, errors.
#include "executor/image_source.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "oci/image_index.h"
#include "oci/temp_tree.h"
#include "registry/fake_registry.h"

namespace builder::executor {
namespace {

using registry::testing::FakeRegistry;

// Keeps what a build's reporter would print, one string per call.
struct Recorder final : BuildReporter {
  std::vector<std::string> lines;
  void Started(int id, std::string_view name) override { lines.push_back(std::to_string(id) + " start " + std::string(name)); }
  void Output(int id, std::string_view line) override { lines.push_back(std::to_string(id) + " " + std::string(line)); }
  void Done(int id, double) override { lines.push_back(std::to_string(id) + " done"); }
  void Cached(int) override {}
  void Errored(int id, std::string_view m) override { lines.push_back(std::to_string(id) + " error " + std::string(m)); }
  void Note(std::string_view) override {}
  bool Saw(std::string_view part) const {
    for (const auto& l : lines)
      if (l.find(part) != std::string::npos) return true;
    return false;
  }
};

struct Fixture {
  oci::testing::TempDir dir;
  oci::ImageStore store = *oci::ImageStore::Open(dir.path());
  FakeRegistry reg;
  Recorder report;
  const std::string name = "127.0.0.1:5000/lib/bb:1";
};

TEST_CASE("a missing image is pulled once, reported as a vertex, and remembered") {
  Fixture f;
  oci::Descriptor m = f.reg.AddImage("lib/bb", "1", "layer");
  ImageSource source(f.store, &f.reg, false, &f.report);
  auto image = source.Resolve(f.name);
  REQUIRE(image);
  REQUIRE(*image);
  CHECK((*image)->digest() == m.digest);
  CHECK(f.report.Saw("1 start [internal] pull 127.0.0.1:5000/lib/bb:1"));
  CHECK(f.report.Saw("1 digest: " + m.digest.str()));
  CHECK(source.next_id() == 2);
  std::size_t requests = f.reg.requests.size();
  REQUIRE(source.Resolve(f.name));
  CHECK(f.reg.requests.size() == requests);
  auto scratch = source.Resolve("scratch");
  REQUIRE(scratch);
  CHECK_FALSE(*scratch);
}

TEST_CASE("a stored image is used as is unless --pull, which takes the moved tag") {
  Fixture f;
  oci::Descriptor old_m = f.reg.AddImage("lib/bb", "1", "old");
  {
    ImageSource first(f.store, &f.reg, false, nullptr);
    REQUIRE(first.Resolve(f.name));
  }
  oci::Descriptor new_m = f.reg.AddImage("lib/bb", "1", "new");
  f.reg.requests.clear();
  ImageSource keep(f.store, &f.reg, false, &f.report);
  auto kept = keep.Resolve(f.name);
  REQUIRE(kept);
  CHECK((*kept)->digest() == old_m.digest);
  CHECK(f.reg.requests.empty());
  CHECK(f.report.lines.empty());

  ImageSource pull(f.store, &f.reg, true, &f.report);
  auto pulled = pull.Resolve(f.name);
  REQUIRE(pulled);
  CHECK((*pulled)->digest() == new_m.digest);
  auto stored = f.store.Resolve(f.name);
  REQUIRE(stored);
  CHECK(stored->digest() == new_m.digest);

  // a digest reference names fixed content: --pull leaves it alone
  f.reg.requests.clear();
  ImageSource by_digest(f.store, &f.reg, true, nullptr);
  REQUIRE(by_digest.Resolve("127.0.0.1:5000/lib/bb@" + new_m.digest.str()));
  CHECK(f.reg.requests.empty());
}

TEST_CASE("a digest reference to a multi-platform index resolves to the host's image") {
  Fixture f;
  oci::Descriptor amd = f.reg.AddImage("lib/bb", "", "amd-layer", "amd64");
  amd.platform = oci::Platform::Host();
  oci::ImageIndex index;
  index.manifests = {amd};
  oci::Descriptor top = f.reg.AddManifest("lib/bb", "", oci::kOciIndex, index.Serialize());
  ImageSource source(f.store, &f.reg, false, nullptr);
  auto image = source.Resolve("127.0.0.1:5000/lib/bb@" + top.digest.str());
  REQUIRE(image);
  REQUIRE(*image);
  CHECK((*image)->digest() == amd.digest);
}

TEST_CASE("without a registry a missing image names the ways to get it") {
  Fixture f;
  ImageSource source(f.store, nullptr, true, nullptr);
  auto image = source.Resolve("nothere:1.0", "base image");
  REQUIRE_FALSE(image);
  CHECK(image.error().code() == ErrorCode::kNotFound);
  CHECK(image.error().ToString().starts_with("base image nothere:1.0 is not in the store"));
  CHECK(image.error().ToString().find("builder pull nothere:1.0") != std::string::npos);
}

TEST_CASE("a failed pull of a missing image says both, and the vertex errors") {
  Fixture f;
  ImageSource source(f.store, &f.reg, false, &f.report);
  auto image = source.Resolve(f.name, "base image");
  REQUIRE_FALSE(image);
  std::string text = image.error().ToString();
  CHECK(text.find("base image " + f.name + " is not in the store") != std::string::npos);
  CHECK(text.find("pull 127.0.0.1:5000/lib/bb:1: manifest lib/bb:1 not found in the registry") != std::string::npos);
  CHECK(f.report.Saw("1 error pull 127.0.0.1:5000/lib/bb:1"));
}

TEST_CASE("--pull fails when the registry fails, even with the image stored") {
  Fixture f;
  f.reg.AddImage("lib/bb", "1", "layer");
  {
    ImageSource first(f.store, &f.reg, false, nullptr);
    REQUIRE(first.Resolve(f.name));
  }
  f.reg.manifests.clear();
  ImageSource pull(f.store, &f.reg, true, nullptr);
  auto image = pull.Resolve(f.name);
  REQUIRE_FALSE(image);
  CHECK(image.error().code() == ErrorCode::kNotFound);
  CHECK(image.error().ToString().starts_with("pull 127.0.0.1:5000/lib/bb:1: "));
}

TEST_CASE("Prefetch resolves bases and COPY --from images, never stages") {
  Fixture f;
  f.reg.AddImage("lib/bb", "1", "base");
  f.reg.AddImage("lib/tools", "2", "tools");
  planner::BuildPlan plan;
  planner::Plan first;
  first.base = f.name;
  planner::Step copy;
  planner::CopyStep action;
  action.from_image = "127.0.0.1:5000/lib/tools:2";
  copy.action = action;
  first.steps.push_back(copy);
  planner::Plan second;
  second.base = "first";
  second.base_stage = 0;
  plan.stages = {first, second};
  ImageSource source(f.store, &f.reg, false, &f.report);
  REQUIRE(source.Prefetch(plan));
  CHECK(f.store.Resolve(f.name));
  CHECK(f.store.Resolve("127.0.0.1:5000/lib/tools:2"));
  CHECK(source.next_id() == 3);
}

}  // namespace
}  // namespace builder::executor
