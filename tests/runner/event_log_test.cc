// The events journal: docker's JSON and line formats, append and read back, rotation, following,
// and the store's own events (container create, rename, destroy; volume create, destroy).
#include "runner/event_log.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/path.h"
#include "oci/remove_tree.h"
#include "runner/container_store.h"
#include "runner/volume_store.h"

namespace builder::runner {
namespace {

struct TempRoot {
  std::string path;
  TempRoot() {
    char templ[] = "/tmp/runner-events-XXXXXX";
    path = ::mkdtemp(templ);
  }
  ~TempRoot() { (void)oci::RemoveTree(path); }
};

Event Sample(std::string action, std::int64_t nano = 1700000000000000006) {
  Event e;
  e.action = std::move(action);
  e.id = std::string(64, 'a');
  e.attributes = {{"name", "web"}, {"image", "busybox"}, {"exitCode", "3"}};
  e.time_nano = nano;
  return e;
}

TEST_CASE("an event prints as docker's line: UTC nanoseconds, attributes sorted by key") {
  CHECK(Sample("die").ToLine() ==
        "2023-11-14T22:13:20.000000006Z container die " + std::string(64, 'a') +
            " (exitCode=3, image=busybox, name=web)");
  Event bare = Sample("start");
  bare.attributes.clear();
  CHECK(bare.ToLine() == "2023-11-14T22:13:20.000000006Z container start " + std::string(64, 'a'));
}

TEST_CASE("an event's JSON has docker's fields and round-trips") {
  const Event e = Sample("die");
  const std::string json = e.ToJson();
  CHECK(json.find("\"status\":\"die\"") != std::string::npos);
  CHECK(json.find("\"from\":\"busybox\"") != std::string::npos);
  CHECK(json.find("\"Type\":\"container\"") != std::string::npos);
  CHECK(json.find("\"scope\":\"local\"") != std::string::npos);
  CHECK(json.find("\"time\":1700000000,") != std::string::npos);
  CHECK(json.find("\"timeNano\":1700000000000000006") != std::string::npos);
  auto back = Event::FromJson(json);
  REQUIRE(back);
  CHECK(back->action == "die");
  CHECK(back->id == e.id);
  CHECK(back->attributes == e.attributes);
  CHECK(back->time_nano == e.time_nano);
  CHECK_FALSE(Event::FromJson("{\"Type\":\"container\"}"));  // no action
  CHECK_FALSE(Event::FromJson("not json"));
}

TEST_CASE("appended events read back in order; a torn last line is skipped") {
  TempRoot root;
  EventLog log(root.path);
  REQUIRE(log.Append(Sample("create", 1)));
  REQUIRE(log.Append(Sample("start", 2)));
  {
    // A writer that died mid-line (never happens with one write(2), but a crash of the disk can).
    auto text = ReadFile(log.path());
    REQUIRE(text);
    REQUIRE(WriteFileAtomic(log.path(), *text + "{\"Action\":\"di"));
  }
  auto all = log.ReadAll();
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].action == "create");
  CHECK((*all)[1].action == "start");
}

TEST_CASE("the journal rotates past its size cap and keeps one generation") {
  TempRoot root;
  EventLog log(root.path, 2000);
  for (int i = 0; i < 40; ++i) REQUIRE(log.Append(Sample("e" + std::to_string(i), i)));
  auto size = ReadFile(log.path());
  REQUIRE(size);
  CHECK(size->size() <= 2000);
  auto all = log.ReadAll();
  REQUIRE(all);
  CHECK(all->size() < 40);   // the oldest are gone
  CHECK(all->back().action == "e39");
  for (std::size_t i = 1; i < all->size(); ++i) CHECK((*all)[i - 1].time_nano < (*all)[i].time_nano);
  auto rotated = log.ReadRotated();
  REQUIRE(rotated);
  CHECK_FALSE(rotated->empty());
}

TEST_CASE("concurrent writers never interleave lines") {
  TempRoot root;
  EventLog log(root.path);
  std::vector<pid_t> kids;
  for (int k = 0; k < 4; ++k) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      Event e = Sample("w" + std::to_string(k));
      e.attributes["pad"] = std::string(3000, 'x');  // past PIPE_BUF: O_APPEND still keeps it whole
      for (int i = 0; i < 50; ++i) (void)log.Append(e);
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) ::waitpid(pid, nullptr, 0);
  auto all = log.ReadAll();
  REQUIRE(all);
  CHECK(all->size() == 200);
}

TEST_CASE("a tail sees only what is appended after it opened, across a rotation") {
  TempRoot root;
  EventLog log(root.path, 1500);
  REQUIRE(log.Append(Sample("old")));
  auto tail = EventTail::Open(log);
  REQUIRE(tail);
  auto none = tail->Poll();
  REQUIRE(none);
  CHECK(none->empty());
  std::vector<std::string> seen;
  for (int i = 0; i < 12; ++i) {
    REQUIRE(log.Append(Sample("n" + std::to_string(i), i)));
    auto got = tail->Poll();
    REQUIRE(got);
    for (const Event& e : *got) seen.push_back(e.action);
  }
  REQUIRE(seen.size() == 12);
  CHECK(seen.front() == "n0");
  CHECK(seen.back() == "n11");
}

TEST_CASE("the container store records create, rename and destroy") {
  TempRoot root;
  auto store = ContainerStore::Open(root.path);
  REQUIRE(store);
  ContainerSpec spec;
  spec.name = "one";
  spec.image = "busybox";
  spec.labels = {{"tier", "web"}};
  spec.cmd = {"true"};
  auto made = store->Create(spec);
  REQUIRE(made);
  REQUIRE(store->Rename(made->id, "two"));
  REQUIRE(store->Remove(made->id));
  auto all = EventLog(root.path).ReadAll();
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].action == "create");
  CHECK((*all)[0].attributes.at("name") == "one");
  CHECK((*all)[0].attributes.at("tier") == "web");  // labels are attributes, as docker's
  CHECK((*all)[1].action == "rename");
  CHECK((*all)[1].attributes.at("oldName") == "/one");
  CHECK((*all)[1].attributes.at("name") == "two");
  CHECK((*all)[2].action == "destroy");
  CHECK((*all)[2].id == made->id);
}

TEST_CASE("a network event has docker's actor and no container-only fields") {
  const Event e = ObjectEvent("network", "connect", std::string(64, 'n'),
                              {{"name", "appnet"}, {"type", "bridge"}, {"container", "c1"}});
  const std::string json = e.ToJson();
  CHECK(json.find("\"Type\":\"network\"") != std::string::npos);
  CHECK(json.find("\"status\"") == std::string::npos);
  CHECK(json.find("\"from\"") == std::string::npos);
  auto back = Event::FromJson(json);
  REQUIRE(back);
  CHECK(back->type == "network");
  CHECK(back->attributes.at("container") == "c1");
  CHECK(back->time_nano > 0);
  CHECK(e.ToLine().find(" network connect " + std::string(64, 'n') + " (container=c1, name=appnet, type=bridge)") !=
        std::string::npos);
}

TEST_CASE("the volume store records create and destroy, also by prune") {
  TempRoot root;
  auto volumes = VolumeStore::Open(root.path);
  REQUIRE(volumes);
  REQUIRE(volumes->Create("data"));
  REQUIRE(volumes->Create("scratch"));
  REQUIRE(volumes->Remove("data", false));
  auto pruned = volumes->Prune(true);
  REQUIRE(pruned);
  auto all = EventLog(root.path).ReadAll();
  REQUIRE(all);
  REQUIRE(all->size() == 4);
  for (const Event& e : *all) {
    CHECK(e.type == "volume");
    CHECK(e.attributes.at("driver") == "local");
  }
  CHECK(((*all)[0].action == "create" && (*all)[0].id == "data"));
  CHECK(((*all)[1].action == "create" && (*all)[1].id == "scratch"));
  CHECK(((*all)[2].action == "destroy" && (*all)[2].id == "data"));
  CHECK(((*all)[3].action == "destroy" && (*all)[3].id == "scratch"));
}

}  // namespace
}  // namespace builder::runner
