// Tests for BlobStore: atomic publishing, verified reads, concurrent writers.
#include "oci/blob_store.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <string>

#include "oci/media_types.h"
#include "store_fixture.h"
#include "temp_tree.h"

namespace builder::oci {
namespace {

using testing::GetFile;
using testing::PutFile;
using testing::CountEntries;
using testing::TempDir;

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  Result<std::size_t> Read(std::span<std::uint8_t> buf) override {
    std::size_t n = std::min(buf.size(), data_.size() - pos_);
    std::copy_n(data_.data() + pos_, n, buf.data());
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
};

Result<std::string> Drain(ByteSource& source) {
  std::string out;
  std::array<std::uint8_t, 7> buf;  // small, to exercise many reads
  for (;;) {
    std::size_t n = BUILDER_TRY(source.Read(buf));
    if (n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  }
}

TEST_CASE("blob store: put, read, open, verify, list, remove") {
  TempDir t;
  auto store = BlobStore::Open(t.path());
  REQUIRE(store);
  auto d = store->Put(kOciConfig, "{\"a\":1}");
  REQUIRE(d);
  CHECK(d->media_type == kOciConfig);
  CHECK(d->size == 7);
  CHECK(d->digest == Digest::Of("{\"a\":1}"));
  CHECK(store->Has(d->digest));
  CHECK(GetFile(store->PathOf(d->digest)) == "{\"a\":1}");
  CHECK(store->PathOf(d->digest) == t.path() + "/blobs/sha256/" + std::string(d->digest.hex()));
  auto bytes = store->Read(*d);
  REQUIRE(bytes);
  CHECK(*bytes == "{\"a\":1}");
  auto source = store->Open(d->digest, 7);
  REQUIRE(source);
  auto streamed = Drain(**source);
  REQUIRE(streamed);
  CHECK(*streamed == "{\"a\":1}");
  CHECK(store->Verify(d->digest, 7));
  CHECK(*store->SizeOf(d->digest) == 7);
  // Putting the same content again is a no-op.
  CHECK(store->Put(kOciConfig, "{\"a\":1}"));
  auto list = store->List();
  REQUIRE(list);
  CHECK(list->size() == 1);
  CHECK(CountEntries(store->TmpDir()) == 0);
  REQUIRE(store->Remove(d->digest));
  CHECK_FALSE(store->Has(d->digest));
  CHECK(store->Remove(d->digest));  // idempotent
  CHECK(store->Read(d->digest).error().code() == ErrorCode::kNotFound);
  CHECK(store->Open(d->digest).error().code() == ErrorCode::kNotFound);
}

TEST_CASE("blob store: a corrupt blob is detected by Read, Open and Verify") {
  TempDir t;
  auto store = BlobStore::Open(t.path());
  REQUIRE(store);
  auto d = store->Put(kOciConfig, "original content");
  REQUIRE(d);
  REQUIRE(PutFile(store->PathOf(d->digest), "tampered content"));
  CHECK(store->Read(d->digest).error().code() == ErrorCode::kCorrupt);
  CHECK(store->Verify(d->digest).error().code() == ErrorCode::kCorrupt);
  auto source = store->Open(d->digest);
  REQUIRE(source);
  auto drained = Drain(**source);
  REQUIRE_FALSE(drained);
  CHECK(drained.error().code() == ErrorCode::kCorrupt);
  CHECK(drained.error().message().find(d->digest.str()) != std::string::npos);
  // A size mismatch with the descriptor is corruption too.
  REQUIRE(PutFile(store->PathOf(d->digest), "original content"));
  Descriptor wrong = *d;
  wrong.size = 3;
  CHECK(store->Read(wrong).error().code() == ErrorCode::kCorrupt);
  CHECK(store->Verify(d->digest, 99).error().code() == ErrorCode::kCorrupt);
  CHECK(store->Read(d->digest, 4).error().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("blob store: Ingest verifies before publishing") {
  TempDir t;
  auto store = BlobStore::Open(t.path());
  REQUIRE(store);
  const std::string data(200000, 'x');
  Descriptor good = Descriptor::For(kOciLayerTar, data);
  Descriptor bad_digest = good;
  bad_digest.digest = Digest::Of("something else");
  StringSource s1(data);
  auto r1 = store->Ingest(s1, bad_digest);
  REQUIRE_FALSE(r1);
  CHECK(r1.error().code() == ErrorCode::kCorrupt);
  CHECK_FALSE(store->Has(bad_digest.digest));
  Descriptor bad_size = good;
  bad_size.size = 10;
  StringSource s2(data);
  CHECK(store->Ingest(s2, bad_size).error().code() == ErrorCode::kCorrupt);
  CHECK_FALSE(store->Has(good.digest));
  Descriptor short_size = good;
  short_size.size = good.size + 1;
  StringSource s3(data);
  CHECK(store->Ingest(s3, short_size).error().code() == ErrorCode::kCorrupt);
  StringSource s4(data);
  REQUIRE(store->Ingest(s4, good));
  CHECK(store->Verify(good.digest, good.size));
  CHECK(CountEntries(store->TmpDir()) == 0);  // failed ingests leave no temp files
}

TEST_CASE("blob store: Stage and Commit for writers that hash themselves") {
  TempDir t;
  auto store = BlobStore::Open(t.path());
  REQUIRE(store);
  auto staged = store->Stage();
  REQUIRE(staged);
  REQUIRE(staged->Write("layer bytes"));
  const std::string temp = staged->temp_path();
  CHECK(temp.starts_with(store->TmpDir() + "/"));
  Digest d = Digest::Of("layer bytes");
  REQUIRE(store->Commit(std::move(*staged), d));
  CHECK(GetFile(store->PathOf(d)) == "layer bytes");
  CHECK_FALSE(testing::Exists(temp));
  // Committing the same blob again discards the second copy.
  auto again = store->Stage();
  REQUIRE(again);
  REQUIRE(again->Write("layer bytes"));
  REQUIRE(store->Commit(std::move(*again), d));
  CHECK(CountEntries(store->TmpDir()) == 0);
  auto unsupported = Digest::Parse("sha512:" + std::string(128, 'a'));
  REQUIRE(unsupported);
  CHECK(store->Read(*unsupported).error().code() == ErrorCode::kUnsupported);
}

TEST_CASE("blob store: a writer killed mid-write leaves only a temp file") {
  TempDir t;
  auto store = BlobStore::Open(t.path());
  REQUIRE(store);
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto staged = store->Stage();
    if (!staged || !staged->Write(std::string(100000, 'y'))) ::_exit(1);
    (void)::write(ready[1], "x", 1);
    for (;;) ::pause();  // killed here, before Commit
  }
  ::close(ready[1]);
  char c;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  auto list = store->List();
  REQUIRE(list);
  CHECK(list->empty());
  CHECK(CountEntries(store->TmpDir()) == 1);
}

TEST_CASE("blob store: concurrent Put of the same blob from two processes") {
  TempDir t;
  auto store = BlobStore::Open(t.path());
  REQUIRE(store);
  const std::string data(1 << 20, 'z');
  pid_t pids[2];
  for (pid_t& pid : pids) {
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // Both processes race on every blob: both may stage and rename it.
      for (int i = 0; i < 20; ++i) {
        auto d = store->Put(kOciLayerTar, data + std::to_string(i));
        if (!d || !store->Read(d->digest, 2 << 20)) ::_exit(1);
      }
      ::_exit(0);
    }
  }
  for (pid_t pid : pids) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto list = store->List();
  REQUIRE(list);
  CHECK(list->size() == 20);
  for (const Digest& d : *list) CHECK(store->Verify(d));
  CHECK(CountEntries(store->TmpDir()) == 0);
}

}  // namespace
}  // namespace builder::oci
