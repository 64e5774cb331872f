// Tests for the binary file-hash table: round trip and rejection of damaged input.
#include "cache/file_hash_table.h"

#include <doctest/doctest.h>

namespace builder::cache {
namespace {

std::vector<FileHashRecord> Sample() {
  FileHashRecord a{"src/main.c", 2049, 1234567, 42, 946684800000000001, -5, 0100644,
                   std::string(64, 'a')};
  FileHashRecord b{std::string("we\xffird\n name"), ~0ULL, 1, 0, 0, 0, 0120777,
                   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"};
  return {a, b};
}

bool Same(const FileHashRecord& x, const FileHashRecord& y) {
  return x.path == y.path && x.dev == y.dev && x.ino == y.ino && x.size == y.size &&
         x.mtime_ns == y.mtime_ns && x.ctime_ns == y.ctime_ns && x.mode == y.mode &&
         x.hash == y.hash;
}

TEST_CASE("records round trip, any path bytes, negative times") {
  auto records = Sample();
  std::string bytes = EncodeFileHashTable(records);
  CHECK(bytes.starts_with("builder-filehash\n"));
  auto back = DecodeFileHashTable(bytes);
  REQUIRE(back);
  REQUIRE(back->size() == 2);
  CHECK(Same((*back)[0], records[0]));
  CHECK(Same((*back)[1], records[1]));
  auto empty = DecodeFileHashTable(EncodeFileHashTable({}));
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("every truncation and trailing junk are rejected") {
  std::string bytes = EncodeFileHashTable(Sample());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(DecodeFileHashTable(bytes.substr(0, n)));
  }
  CHECK_FALSE(DecodeFileHashTable(bytes + "x"));
}

TEST_CASE("bad magic, version, hash digits, empty or NUL paths and lying counts are rejected") {
  std::string good = EncodeFileHashTable(Sample());
  std::string magic = good;
  magic[0] = 'B';
  CHECK_FALSE(DecodeFileHashTable(magic));
  std::string version = good;
  version[17] = 1;  // the version field follows the 17-byte magic line
  CHECK_FALSE(DecodeFileHashTable(version));
  auto upper = Sample();
  upper[0].hash = std::string(64, 'A');
  CHECK_FALSE(DecodeFileHashTable(EncodeFileHashTable(upper)));
  auto nul = Sample();
  nul[0].path = std::string("a\0b", 3);
  CHECK_FALSE(DecodeFileHashTable(EncodeFileHashTable(nul)));
  auto empty_path = Sample();
  empty_path[0].path.clear();
  CHECK_FALSE(DecodeFileHashTable(EncodeFileHashTable(empty_path)));
  std::string count = good;
  count[21] = 0x7f;  // claims ~2^62 records: must fail without reserving for them
  count[28] = 0x3f;
  CHECK_FALSE(DecodeFileHashTable(count));
}

}  // namespace
}  // namespace builder::cache
