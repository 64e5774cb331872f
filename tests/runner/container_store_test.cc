// The container store: create, names, lookup by id/name/prefix, state updates, removal.
#include "runner/container_store.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/file_lock.h"
#include "base/path.h"
#include "oci/remove_tree.h"

namespace builder::runner {
namespace {

struct TempRoot {
  std::string path;
  TempRoot() {
    char templ[] = "/tmp/runner-store-XXXXXX";
    path = ::mkdtemp(templ);
  }
  ~TempRoot() { (void)oci::RemoveTree(path); }
};

ContainerSpec Spec(std::string name = "") {
  ContainerSpec s;
  s.name = std::move(name);
  s.image = "busybox";
  s.cmd = {"sh", "-c", "true"};
  return s;
}

TEST_CASE("create assigns an id, a created time and a name, and round-trips config and state") {
  TempRoot root;
  auto store = ContainerStore::Open(root.path);
  REQUIRE(store);
  ContainerSpec in = Spec("web");
  in.env = {"A=1"};
  in.mounts = {MountSpec{.source = "/srv", .destination = "/data", .read_only = true}};
  in.restart = RestartPolicy{"on-failure", 2};
  in.stop_timeout = 3;
  in.limits.memory = 32 << 20;
  auto made = store->Create(in);
  REQUIRE(made);
  CHECK(made->id.size() == 64);
  CHECK(!made->created.empty());
  auto loaded = store->LoadSpec(made->id);
  REQUIRE(loaded);
  CHECK(*loaded == *made);
  auto state = store->LoadState(made->id);
  REQUIRE(state);
  CHECK(state->status == Status::kCreated);
  CHECK(::access((store->DirOf(made->id) + "/upper").c_str(), F_OK) == 0);

  auto unnamed = store->Create(Spec());
  REQUIRE(unnamed);
  CHECK(unnamed->name.find('_') != std::string::npos);
}

TEST_CASE("names are unique and validated; rename keeps them unique") {
  // Names with a non-hex letter: "b1" could also be an id prefix.
  TempRoot root;
  auto store = ContainerStore::Open(root.path);
  REQUIRE(store);
  auto a = store->Create(Spec("ax"));
  REQUIRE(a);
  auto dup = store->Create(Spec("ax"));
  REQUIRE(!dup);
  CHECK(dup.error().code() == ErrorCode::kAlreadyExists);
  CHECK(!store->Create(Spec("bad name")));
  CHECK(!store->Create(Spec("-x")));
  auto b = store->Create(Spec("bx"));
  REQUIRE(b);
  CHECK(!store->Rename(b->id, "ax"));
  REQUIRE(store->Rename(b->id, "cx"));
  CHECK(store->Resolve("cx") == b->id);
  CHECK(!store->Resolve("bx"));
}

TEST_CASE("lookup by full id, name, /name and unique prefix; ambiguous prefixes fail") {
  TempRoot root;
  auto store = ContainerStore::Open(root.path);
  REQUIRE(store);
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(store->Create(Spec("n" + std::to_string(i)))->id);
  CHECK(store->Resolve(ids[3]) == ids[3]);
  CHECK(store->Resolve("n7") == ids[7]);
  CHECK(store->Resolve("/n7") == ids[7]);
  CHECK(store->Resolve(ids[5].substr(0, 12)) == ids[5]);
  // 40 ids over 16 first digits: some first digit is shared.
  bool ambiguous_seen = false;
  for (char c : std::string("0123456789abcdef")) {
    auto r = store->Resolve(std::string(1, c));
    int count = 0;
    for (const auto& id : ids) count += id[0] == c;
    if (count > 1) {
      REQUIRE(!r);
      CHECK(r.error().message().find("multiple IDs") != std::string::npos);
      ambiguous_seen = true;
    }
  }
  CHECK(ambiguous_seen);
  auto missing = store->Resolve("nope");
  REQUIRE(!missing);
  CHECK(missing.error().code() == ErrorCode::kNotFound);
  CHECK(missing.error().message() == "No such container: \"nope\"");
}

TEST_CASE("List is newest first") {
  TempRoot root;
  auto store = ContainerStore::Open(root.path);
  REQUIRE(store);
  auto first = store->Create(Spec("first"));
  auto second = store->Create(Spec("second"));
  auto ids = store->List();
  REQUIRE(ids);
  REQUIRE(ids->size() == 2);
  CHECK((*ids)[0] == second->id);
  CHECK((*ids)[1] == first->id);
}

TEST_CASE("a running state without a live monitor is shown as exited") {
  TempRoot root;
  auto store = ContainerStore::Open(root.path);
  REQUIRE(store);
  auto c = store->Create(Spec("x1"));
  REQUIRE(c);
  REQUIRE(store->UpdateState(c->id, [](ContainerState& s) {
    s.status = Status::kRunning;
    s.pid = 12345;
  }));
  auto stale = store->View(c->id);
  REQUIRE(stale);
  CHECK(stale->state.status == Status::kExited);
  CHECK(!stale->monitor_alive);
  // A monitor holds its lock: now the recorded state is the truth.
  auto held = FileLock::Acquire(store->MonitorLockPath(c->id), FileLock::Mode::kExclusive);
  REQUIRE(held);
  // flock locks belong to the open file: a second open in this process conflicts as another would.
  auto live = store->View(c->id);
  REQUIRE(live);
  CHECK(live->monitor_alive);
  CHECK(live->state.status == Status::kRunning);
}

TEST_CASE("remove deletes the directory; garbage of interrupted removals is collected") {
  TempRoot root;
  auto store = ContainerStore::Open(root.path);
  REQUIRE(store);
  auto c = store->Create(Spec("gone"));
  REQUIRE(c);
  REQUIRE(store->Remove(c->id));
  CHECK(!store->Resolve("gone"));
  CHECK(::access(store->DirOf(c->id).c_str(), F_OK) != 0);
  REQUIRE(MakeDirs(store->dir() + "/.trash-abc/upper"));
  const std::string half = store->dir() + "/" + std::string(64, 'a');
  REQUIRE(MakeDirs(half + "/upper"));
  REQUIRE(store->RemoveGarbage());
  CHECK(::access((store->dir() + "/.trash-abc").c_str(), F_OK) != 0);
  CHECK(::access(half.c_str(), F_OK) != 0);
}

TEST_CASE("state and spec files reject garbage") {
  CHECK(!ContainerState::Parse("nope"));
  CHECK(!ContainerState::Parse(R"({"status":"flying"})"));
  CHECK(!ContainerSpec::Parse(R"({"id":"short"})"));
  ContainerState s;
  s.status = Status::kRestarting;
  s.restart_count = 2;
  s.health = "healthy";
  CHECK(ContainerState::Parse(s.Serialize()) == s);
  // pasta's published ports (rootless) survive the round trip; none is the default.
  s.published_ports = {"80/tcp -> 0.0.0.0:8080", "53/udp -> 127.0.0.1:5353"};
  CHECK(ContainerState::Parse(s.Serialize()) == s);
  CHECK(ContainerState::Parse(R"({"status":"running"})")->published_ports.empty());
}

TEST_CASE("network settings round-trip; only networks other than host and none are bridged") {
  ContainerSpec spec;
  spec.id = std::string(64, 'a');
  CHECK(!spec.bridged());  // host by default
  spec.network = "none";
  CHECK(!spec.bridged());
  spec.network = "appnet";
  spec.ports = {"127.0.0.1:8080:80/tcp", "53/udp"};
  spec.dns = {"10.1.1.1"};
  spec.extra_hosts = {"db:10.0.0.5"};
  spec.network_aliases = {"www"};
  CHECK(spec.bridged());
  auto back = ContainerSpec::Parse(spec.Serialize());
  REQUIRE(back);
  CHECK(*back == spec);
  // A config written before networks existed reads as host networking.
  auto old = ContainerSpec::Parse(R"({"id":")" + std::string(64, 'b') + R"("})");
  REQUIRE(old);
  CHECK(old->network == "host");
  CHECK(old->ports.empty());
  CHECK(old->networks.empty());
}

TEST_CASE("a bridged config without a networks list joins its --network with its aliases") {
  auto old = ContainerSpec::Parse(R"({"id":")" + std::string(64, 'b') +
                                  R"(","network":"appnet","network_aliases":["www"]})");
  REQUIRE(old);
  REQUIRE(old->networks.size() == 1);
  CHECK(old->networks[0] == NetworkAttachment{"appnet", {"www"}});
  // An explicit empty list (every network disconnected) stays empty.
  auto none = ContainerSpec::Parse(R"({"id":")" + std::string(64, 'b') +
                                   R"(","network":"appnet","networks":[]})");
  REQUIRE(none);
  CHECK(none->networks.empty());
}

TEST_CASE("UpdateSpec stores the change, and nothing when the change fails") {
  TempRoot root;
  auto store = ContainerStore::Open(root.path);
  REQUIRE(store);
  ContainerSpec in = Spec("net1");
  in.network = "bridge";
  in.networks = {{"bridge", {}}};
  auto made = store->Create(in);
  REQUIRE(made);
  auto changed = store->UpdateSpec(made->id, [](ContainerSpec& s) -> Result<void> {
    s.networks.push_back({"appnet", {"a1"}});
    return {};
  });
  REQUIRE(changed);
  CHECK(store->LoadSpec(made->id)->networks.size() == 2);
  auto refused = store->UpdateSpec(made->id, [](ContainerSpec& s) -> Result<void> {
    s.networks.clear();
    return Fail(ErrorCode::kInvalidArgument, "no");
  });
  CHECK_FALSE(refused);
  CHECK(store->LoadSpec(made->id)->networks.size() == 2);
}

}  // namespace
}  // namespace builder::runner
