// Tests for TarWriter (read back with TarReader): deterministic bytes, stream size checks.
#include "oci/tar_writer.h"

#include <doctest/doctest.h>

#include "archive_fixture.h"

namespace builder::oci {
namespace {

using testing::MakeTar;
using testing::ReadTar;
using testing::StringSource;

TEST_CASE("tar writer: entries read back in order, same calls give the same bytes") {
  std::vector<std::pair<std::string, std::string>> files = {
      {"blobs/", ""}, {"blobs/a", "alpha"}, {"index.json", "{}"}, {"link", "->blobs/a"}};
  std::string a = MakeTar(files);
  CHECK(a == MakeTar(files));
  CHECK(a.size() % 512 == 0);
  auto entries = ReadTar(a);
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].first == "blobs/");
  CHECK(entries[1] == std::pair<std::string, std::string>{"blobs/a", "alpha"});
  CHECK(entries[2].second == "{}");
  CHECK(entries[3].first == "link");
}

TEST_CASE("tar writer: AddStream fails when the source has another size") {
  StringSink sink;
  auto tar = TarWriter::Create(sink);
  REQUIRE(tar);
  StringSource shorter("abc");
  auto r = (*tar)->AddStream("f", 10, shorter, 0);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kCorrupt);
  StringSink sink2;
  auto tar2 = TarWriter::Create(sink2);
  REQUIRE(tar2);
  StringSource longer("abcdef");
  CHECK_FALSE((*tar2)->AddStream("f", 2, longer, 0));
}

}  // namespace
}  // namespace builder::oci
