// Tests for the one-pass layer blob writer and the verifying reader.
#include "oci/layer_stream.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "base/sha256.h"
#include "base/unique_fd.h"

namespace builder::oci {
namespace {

UniqueFd TempFd() {
  char tmpl[] = "/tmp/builder-layer-stream-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  unlink(tmpl);
  return UniqueFd(fd);
}

std::string FdContent(int fd) {
  std::string out;
  char buf[4096];
  lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST_CASE("writer hashes tar and blob in one pass, reader verifies both") {
  std::string tar(300000, 'x');
  for (size_t i = 0; i < tar.size(); i += 13) tar[i] = static_cast<char>(i);
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kNone}) {
    CAPTURE(CompressionName(c));
    UniqueFd fd = TempFd();
    auto w = LayerBlobWriter::Create(fd.get(), {.compression = c});
    REQUIRE(w);
    REQUIRE((*w)->Write({reinterpret_cast<const std::uint8_t*>(tar.data()), tar.size()}));
    auto d = (*w)->Finish();
    REQUIRE(d);
    std::string blob = FdContent(fd.get());
    CHECK(d->digest.str() == "sha256:" + Sha256Hex(blob));
    CHECK(d->diff_id.str() == "sha256:" + Sha256Hex(tar));
    CHECK(d->size == blob.size());
    CHECK(d->uncompressed_size == tar.size());
    if (c == Compression::kNone) CHECK(d->digest == d->diff_id);

    lseek(fd.get(), 0, SEEK_SET);
    auto r = LayerBlobReader::Open(fd.get(), c, {d->digest, d->diff_id});
    REQUIRE(r);
    StringSink out;
    REQUIRE(Pump(**r, out));
    CHECK(out.data() == tar);
    CHECK((*r)->DrainAndVerify().value().digest == d->digest);

    lseek(fd.get(), 0, SEEK_SET);
    auto bad = LayerBlobReader::Open(fd.get(), c, {Digest::Parse("sha256:" + std::string(64, '0')).value(), {}});
    REQUIRE(bad);
    auto v = (*bad)->DrainAndVerify();
    REQUIRE_FALSE(v);
    CHECK(v.error().code() == ErrorCode::kCorrupt);
    CHECK(v.error().message().find("digest mismatch") != std::string::npos);
    // The failure is sticky.
    std::uint8_t b[16];
    CHECK_FALSE((*bad)->Read(b));

    lseek(fd.get(), 0, SEEK_SET);
    auto bad_diff = LayerBlobReader::Open(fd.get(), c, {{}, Digest::Parse("sha256:" + std::string(64, 'f')).value()});
    REQUIRE(bad_diff);
    auto v2 = (*bad_diff)->DrainAndVerify();
    REQUIRE_FALSE(v2);
    CHECK(v2.error().message().find("diff_id mismatch") != std::string::npos);

    auto sha512 = Digest::Parse("sha512:" + std::string(128, 'a'));
    REQUIRE(sha512);
    auto unsupported = LayerBlobReader::Open(fd.get(), c, {*sha512, {}});
    REQUIRE_FALSE(unsupported);
    CHECK(unsupported.error().code() == ErrorCode::kUnsupported);
  }
}

}  // namespace
}  // namespace builder::oci
