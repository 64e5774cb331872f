// Tests for CacheIndex: round trips, verified reads, atomic concurrent records, explanations,
// and prune keeping what the cache references.
#include "cache/cache_index.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "../oci/store_fixture.h"
#include "../oci/temp_tree.h"
#include "base/path.h"
#include "oci/gc.h"
#include "oci/media_types.h"
#include "oci/snapshot_store.h"

namespace builder::cache {
namespace {

using oci::testing::CountEntries;
using oci::testing::GetFile;
using oci::testing::PutFile;
using oci::testing::TempDir;

struct Fixture {
  TempDir dir;
  oci::ImageStore store;
  CacheIndex index;
  Fixture() : store(*oci::ImageStore::Open(dir.path())), index(*CacheIndex::Open(store)) {}

  /// An entry whose layer and config blobs exist in the store.
  CacheEntry MakeEntry(const std::string& layer_bytes, const CacheKey& parent = {},
                       const std::string& identity = "RUN make") {
    CacheEntry e;
    auto layer = store.blobs().Put(oci::kOciLayerTar, layer_bytes);
    REQUIRE(layer);
    e.layer = *layer;
    e.diff_id = layer->digest;
    oci::ImageConfig config;
    config.architecture = "amd64";
    config.os = "linux";
    config.rootfs.diff_ids.push_back(layer->digest);
    config.history.push_back({"2024-01-01T00:00:00Z", identity, "", "", false});
    auto blob = store.blobs().Put(oci::kOciConfig, config.Serialize());
    REQUIRE(blob);
    e.config = blob->digest;
    e.history = config.history.back();
    e.description = identity;
    e.parent = parent;
    e.step_identity = identity;
    e.inputs.hashes = {{"build arg VERSION", "v1"}};
    return e;
  }
};

CacheKey KeyOf(const std::string& s) { return CacheKeyBuilder().Add("test", s).Finish(); }

/// Runs fn with stderr redirected to a file and returns what it wrote.
std::string CaptureStderr(const std::function<void()>& fn) {
  TempDir t;
  std::string path = t / "stderr";
  int saved = ::dup(2);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  ::dup2(fd, 2);
  ::close(fd);
  fn();
  ::dup2(saved, 2);
  ::close(saved);
  return GetFile(path);
}

TEST_CASE("cache index: record and look up, with and without a layer") {
  Fixture f;
  CacheKey key = KeyOf("a");
  auto miss = f.index.Lookup(key);
  REQUIRE(miss);
  CHECK(!miss->has_value());

  CacheEntry e = f.MakeEntry("layer-a");
  e.history.created_by = "RUN \xff binary";  // not UTF-8: stored losslessly
  REQUIRE(f.index.Record(key, e));
  auto hit = f.index.Lookup(key);
  REQUIRE(hit);
  REQUIRE(hit->has_value());
  CHECK(!(*hit)->created.empty());  // filled in by Record
  CacheEntry expected = e;
  expected.created = (*hit)->created;
  CHECK(**hit == expected);

  CacheEntry meta = f.MakeEntry("layer-b");
  meta.layer.reset();
  meta.diff_id = {};
  meta.history.empty_layer = true;
  meta.created = "2024-05-01T00:00:00Z";
  REQUIRE(f.index.Record(KeyOf("meta"), meta));
  auto meta_hit = f.index.Lookup(KeyOf("meta"));
  REQUIRE(meta_hit);
  REQUIRE(meta_hit->has_value());
  CHECK(**meta_hit == meta);

  // Replacing an entry is allowed; the newer one wins.
  CacheEntry newer = f.MakeEntry("layer-c");
  newer.created = "2025-01-01T00:00:00Z";
  REQUIRE(f.index.Record(key, newer));
  hit = f.index.Lookup(key);
  REQUIRE(hit);
  REQUIRE(hit->has_value());
  CHECK((*hit)->config == newer.config);

  auto config = f.index.LoadConfig(**hit);
  REQUIRE(config);
  CHECK(config->rootfs.diff_ids == std::vector<oci::Digest>{newer.diff_id});
  CHECK(config->history.back() == newer.history);
  CacheEntry missing = newer;
  missing.config = oci::Digest::Of("absent");
  CHECK(f.index.LoadConfig(missing).error().code() == ErrorCode::kNotFound);

  CHECK(f.index.Lookup(CacheKey()).error().code() == ErrorCode::kInvalidArgument);
  CacheEntry bad = e;
  bad.diff_id = {};
  CHECK(f.index.Record(key, bad).error().code() == ErrorCode::kInvalidArgument);
  bad = e;
  bad.config = {};
  CHECK(f.index.Record(key, bad).error().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("cache index: records are published whole - damaged entries are misses with a warning") {
  Fixture f;
  CacheKey key = KeyOf("a");
  REQUIRE(f.index.Record(key, f.MakeEntry("layer")));
  // Staged in the store's tmp/ and renamed: nothing but the entry itself in entries/.
  CHECK(CountEntries(f.index.dir() + "/entries") == 1);
  CHECK(CountEntries(f.store.blobs().TmpDir()) == 0);
  const std::string path = f.index.dir() + "/entries/" + key.hex() + ".json";
  std::string good = GetFile(path);

  // A torn write (which StagedFile prevents, but a disk can still lose data).
  REQUIRE(PutFile(path, good.substr(0, good.size() / 2)));
  std::optional<CacheEntry> result;
  std::string err = CaptureStderr([&] {
    auto r = f.index.Lookup(key);
    REQUIRE(r);
    result = *r;
  });
  CHECK(!result.has_value());
  CHECK(err.find("warning") != std::string::npos);
  CHECK(err.find("damaged") != std::string::npos);

  // Valid JSON of the wrong shape, or the entry of another key, are misses too.
  REQUIRE(PutFile(path, "{\"version\":1,\"config\":\"nope\"}"));
  CaptureStderr([&] { CHECK(!f.index.Lookup(key)->has_value()); });
  std::string other = good;
  other.replace(other.find(key.hex()), 64, KeyOf("b").hex());
  REQUIRE(PutFile(path, other));
  err = CaptureStderr([&] { CHECK(!f.index.Lookup(key)->has_value()); });
  CHECK(err.find("another key") != std::string::npos);

  // A well-formed entry whose layer blob was removed is a miss (a hit must be usable).
  REQUIRE(PutFile(path, good));
  CHECK(f.index.Lookup(key)->has_value());
  auto entry = CacheEntry::Parse(good);
  REQUIRE(entry);
  REQUIRE(f.store.blobs().Remove(entry->layer->digest));
  CHECK(!f.index.Lookup(key)->has_value());

  // A leftover temp file from a killed writer is invisible to lookups.
  REQUIRE(PutFile(f.store.blobs().TmpDir() + "/.tmp-abcdef", "{partial"));
  CHECK(!f.index.Lookup(KeyOf("c"))->has_value());
}

TEST_CASE("cache index: concurrent records from forked processes") {
  Fixture f;
  constexpr int kChildren = 6;
  constexpr int kKeys = 20;
  std::vector<CacheEntry> variants;
  for (int c = 0; c < kChildren; ++c) variants.push_back(f.MakeEntry("layer-" + std::to_string(c)));
  std::vector<pid_t> pids;
  for (int c = 0; c < kChildren; ++c) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // Every child writes every key (shared keys race) plus keys of its own.
      bool ok = true;
      for (int k = 0; k < kKeys; ++k) {
        ok = ok && f.index.Record(KeyOf("shared" + std::to_string(k)), variants[c]).has_value();
        ok = ok && f.index.Record(KeyOf("own" + std::to_string(c) + "-" + std::to_string(k)),
                                  variants[c]).has_value();
      }
      ::_exit(ok ? 0 : 1);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  for (int k = 0; k < kKeys; ++k) {
    auto hit = f.index.Lookup(KeyOf("shared" + std::to_string(k)));
    REQUIRE(hit);
    REQUIRE(hit->has_value());
    bool one_of = false;
    for (const CacheEntry& v : variants) one_of = one_of || (*hit)->config == v.config;
    CHECK(one_of);
    for (int c = 0; c < kChildren; ++c) {
      auto own = f.index.Lookup(KeyOf("own" + std::to_string(c) + "-" + std::to_string(k)));
      REQUIRE(own);
      REQUIRE(own->has_value());
      CHECK((*own)->config == variants[c].config);
    }
  }
  CHECK(CountEntries(f.index.dir() + "/entries") == kKeys * (kChildren + 1));
  CHECK(CountEntries(f.store.blobs().TmpDir()) == 0);
}

TEST_CASE("cache index: explanations name what changed") {
  Fixture f;
  CacheKey base = KeyOf("FROM alpine@sha256:1");
  CHECK(f.index.Explain(base, "RUN make", {}) == "no cache entry");

  CacheEntry e = f.MakeEntry("layer", base, "RUN make");
  e.inputs.hashes = {{"build arg VERSION", "h1"}, {"build arg DEBUG", "h0"}};
  REQUIRE(f.index.Record(KeyOf("k1"), e));

  StepInputs now = e.inputs;
  now.hashes["build arg VERSION"] = "h2";
  CHECK(f.index.Explain(base, "RUN make", now) == "build arg VERSION changed");
  now.hashes.erase("build arg DEBUG");
  now.hashes["build arg NEW"] = "x";
  CHECK(f.index.Explain(base, "RUN make", now) ==
        "build arg DEBUG removed; build arg NEW added; build arg VERSION changed");

  // Same identity under another parent: the base or an earlier step changed.
  CHECK(f.index.Explain(KeyOf("FROM alpine@sha256:2"), "RUN make", e.inputs) ==
        "base image or an earlier step changed");
  // An unknown step identity.
  CHECK(f.index.Explain(base, "RUN make install", e.inputs) == "no cache entry");
  // Identical inputs: the entry itself went away.
  CHECK(f.index.Explain(base, "RUN make", e.inputs).find("gone") != std::string::npos);

  // A FROM step: the base image is an input of a parentless step.
  CacheEntry from = f.MakeEntry("base-layer", {}, "FROM alpine");
  from.inputs.hashes = {{"base image", "sha256:111"}};
  REQUIRE(f.index.Record(KeyOf("from"), from));
  CHECK(f.index.Explain({}, "FROM alpine", {{{"base image", "sha256:222"}}, {}}) ==
        "base image changed");
}

TEST_CASE("cache index: COPY explanations name the changed files") {
  Fixture f;
  TreeSummary before{"t1", {{"main.c", "1"}, {"util.c", "2"}, {"Makefile", "3"}}};
  TreeSummary after{"t2", {{"main.c", "1x"}, {"util.c", "2"}, {"Makefile", "3"}, {"new.h", "4"}}};
  CacheEntry e = f.MakeEntry("layer", KeyOf("p"), "COPY src/ /app/");
  e.inputs.hashes = {{"COPY src/", before.digest}};
  e.inputs.trees = {{"COPY src/", before}};
  REQUIRE(f.index.Record(KeyOf("copy"), e));
  StepInputs now{{{"COPY src/", after.digest}}, {{"COPY src/", after}}};
  CHECK(f.index.Explain(KeyOf("p"), "COPY src/ /app/", now) ==
        "COPY src/: main.c changed, new.h added");
  // Without a tree for the new build the input is named as a whole.
  StepInputs no_tree{{{"COPY src/", after.digest}}, {}};
  CHECK(f.index.Explain(KeyOf("p"), "COPY src/ /app/", no_tree) == "COPY src/ changed");
  // A damaged step record degrades to "no cache entry", with a warning.
  std::string record = f.index.dir() + "/steps/" + StepRecordKey(KeyOf("p"), "COPY src/ /app/").hex() + ".json";
  REQUIRE(PutFile(record, "garbage"));
  std::string text;
  std::string err = CaptureStderr([&] { text = f.index.Explain(KeyOf("p"), "COPY src/ /app/", now); });
  CHECK(text != "COPY src/: main.c changed, new.h added");
  CHECK(err.find("warning") != std::string::npos);
}

TEST_CASE("cache index: referenced blobs, clear, and prune keeping cached layers") {
  Fixture f;
  CacheEntry a = f.MakeEntry("cached-layer-a");
  CacheEntry b = f.MakeEntry("cached-layer-b");
  b.layer.reset();
  b.diff_id = {};
  REQUIRE(f.index.Record(KeyOf("a"), a));
  REQUIRE(f.index.Record(KeyOf("b"), b));
  auto orphan = f.store.blobs().Put(oci::kOciLayerTar, "orphan");
  REQUIRE(orphan);
  // A snapshot named by the cached config's chain, and one nothing names.
  oci::SnapshotStore snapshots(f.store);
  REQUIRE(MakeDirs(snapshots.PathOf(a.diff_id)));
  REQUIRE(MakeDirs(snapshots.PathOf(orphan->digest)));

  auto refs = f.index.ReferencedBlobs();
  REQUIRE(refs);
  CHECK(refs->size() == 3);  // a's layer and config, b's config

  oci::PruneOptions options;
  options.extra_roots = [&] { return f.index.ReferencedBlobs(); };
  auto stats = oci::Prune(f.store, options);
  REQUIRE(stats);
  CHECK(stats->blobs_deleted == 2);  // the orphan and b's layer blob (unreferenced)
  CHECK(!f.store.blobs().Has(orphan->digest));
  CHECK(f.store.blobs().Has(a.layer->digest));
  CHECK(f.store.blobs().Has(a.config));
  CHECK(f.store.blobs().Has(b.config));
  CHECK(stats->snapshots_deleted == 1);
  CHECK(oci::testing::Exists(snapshots.PathOf(a.diff_id)));
  CHECK(f.index.Lookup(KeyOf("a"))->has_value());

  // Without the hook (or after clearing the cache) the cached blobs go; so do step locks.
  REQUIRE(MakeDirs(f.store.LockPath("steps")));
  REQUIRE(WriteFileAtomic(f.store.LockPath("steps/abc"), ""));
  auto cleared = f.index.Clear();
  REQUIRE(cleared);
  CHECK(*cleared == 2);
  CHECK(!oci::testing::Exists(f.store.LockPath("steps/abc")));
  CHECK(!f.index.Lookup(KeyOf("a"))->has_value());
  CHECK(f.index.Explain({}, "RUN make", a.inputs) == "no cache entry");
  stats = oci::Prune(f.store, options);
  REQUIRE(stats);
  CHECK(!f.store.blobs().Has(a.layer->digest));
  CHECK(!f.store.blobs().Has(a.config));
}

TEST_CASE("cache index: StepKey covers parent, identity and every input") {
  StepInputs in{{{"build arg A", "1"}, {"COPY .", "t"}}, {}};
  CacheKey k = StepKey(KeyOf("p"), "RUN x", in);
  CHECK(k == StepKey(KeyOf("p"), "RUN x", in));
  CHECK(k != StepKey(KeyOf("q"), "RUN x", in));
  CHECK(k != StepKey(CacheKey(), "RUN x", in));
  CHECK(k != StepKey(KeyOf("p"), "RUN y", in));
  StepInputs changed = in;
  changed.hashes["build arg A"] = "2";
  CHECK(k != StepKey(KeyOf("p"), "RUN x", changed));
  StepInputs with_tree = in;  // trees are for explanations only
  with_tree.trees["COPY ."] = TreeSummary{"t", {{"a", "1"}}};
  CHECK(k == StepKey(KeyOf("p"), "RUN x", with_tree));
  CHECK(k != StepRecordKey(KeyOf("p"), "RUN x"));
}

TEST_CASE("cache entry: parse rejects malformed entries") {
  CHECK(CacheEntry::Parse("nope").error().code() == ErrorCode::kParse);
  CHECK(CacheEntry::Parse("{}").error().code() == ErrorCode::kCorrupt);
  CHECK(CacheEntry::Parse("{\"version\":1}").error().code() == ErrorCode::kCorrupt);
  CHECK(CacheEntry::Parse("{\"version\":1,\"config\":\"sha256:zz\",\"history\":{}}").error().code() ==
        ErrorCode::kInvalidArgument);
  std::string config = "sha256:" + std::string(64, 'a');
  CHECK(CacheEntry::Parse("{\"version\":1,\"config\":\"" + config + "\",\"history\":{}}"));
  CHECK(!CacheEntry::Parse("{\"version\":1,\"config\":\"" + config +
                           "\",\"history\":{},\"diff_id\":\"" + config + "\"}"));  // no layer
  CHECK(!CacheEntry::Parse("{\"version\":1,\"config\":\"" + config +
                           "\",\"history\":{},\"inputs\":{\"a\":1}}"));
  CHECK(!CacheEntry::Parse("{\"version\":1,\"config\":\"" + config +
                           "\",\"history\":{},\"parent\":\"short\"}"));
}

}  // namespace
}  // namespace builder::cache
