// Tests for streaming SHA-256 against known vectors.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "base/path.h"
#include "base/sha256.h"

namespace builder {
namespace {

TEST_CASE("known vectors") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("incremental updates equal one update") {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  Sha256 h;
  for (size_t i = 0; i < data.size(); i += 777) h.Update(std::string_view(data).substr(i, 777));
  CHECK(h.FinishHex() == Sha256Hex(data));
  h.Reset();
  CHECK(h.FinishHex() == Sha256Hex(""));
}

TEST_CASE("file hashing streams the file") {
  char tmpl[] = "/tmp/builder-sha-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  std::string data(300000, 'a');
  REQUIRE(WriteFileAtomic(tmpl, data));
  CHECK(Sha256File(tmpl).value() == Sha256Hex(data));
  std::remove(tmpl);
  auto missing = Sha256File("/nonexistent/file");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().ToString() == "open /nonexistent/file: No such file or directory");
}

}  // namespace
}  // namespace builder
