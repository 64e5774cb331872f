// Tests for TarReader: plain and compressed tars, and input that is not a tar.
#include "oci/tar_reader.h"

#include <doctest/doctest.h>

#include "archive_fixture.h"

namespace builder::oci {
namespace {

using testing::Compress;
using testing::MakeTar;
using testing::ReadTar;
using testing::StringSource;

TEST_CASE("tar reader: gzip and zstd tars are detected and read") {
  std::string tar = MakeTar({{"a", "1"}, {"b/c", std::string(100000, 'x')}});
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    CAPTURE(CompressionName(c));
    auto entries = ReadTar(c == Compression::kNone ? tar : Compress(tar, c));
    REQUIRE(entries.size() == 2);
    CHECK(entries[1].second.size() == 100000);
  }
}

TEST_CASE("tar reader: garbage and truncated input fail with kCorrupt") {
  StringSource garbage(std::string(2048, 'z'));
  auto r = TarReader::Open(garbage);
  if (r) {
    auto next = (*r)->Next();
    REQUIRE_FALSE(next);
    CHECK(next.error().code() == ErrorCode::kCorrupt);
  } else {
    CHECK(r.error().code() == ErrorCode::kCorrupt);
  }
  std::string tar = MakeTar({{"a", std::string(5000, 'a')}});
  StringSource truncated(tar.substr(0, 1500));
  auto reader = TarReader::Open(truncated);
  REQUIRE(reader);
  auto entry = (*reader)->Next();
  REQUIRE(entry);
  StringSink sink;
  CHECK_FALSE(Pump(**reader, sink));
}

}  // namespace
}  // namespace builder::oci
