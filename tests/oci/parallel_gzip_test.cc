// Tests for parallel gzip: round trips through three decoders, worker-count independence,
// levels, and sinks that fail mid-stream.
#include "oci/parallel_gzip.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/subprocess.h"
#include "oci/compression.h"

namespace builder::oci {
namespace {

constexpr std::size_t kChunk = kGzipChunkSize;

std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string Text(std::size_t size) {
  std::mt19937 rng(7);
  std::string s;
  while (s.size() < size) s += "entry " + std::to_string(rng() % 5000) + " of a layer listing\n";
  s.resize(size);
  return s;
}

std::string Random(std::size_t size) {
  std::mt19937_64 rng(11);
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; i += 8) {
    const std::uint64_t r = rng();
    std::memcpy(s.data() + i, &r, std::min<std::size_t>(8, size - i));
  }
  return s;
}

// Compresses with writes of `piece` bytes (0: one write of everything).
std::string Gzip(const std::string& data, int workers, std::size_t piece = 7777, int level = 0) {
  StringSink out;
  auto sink = MakeParallelGzip(out, level, workers);
  REQUIRE(sink);
  if (piece == 0) piece = std::max<std::size_t>(1, data.size());
  bool ok = true;
  for (std::size_t i = 0; i < data.size() && ok; i += piece)
    ok = (*sink)->Write(Bytes(std::string_view(data).substr(i, piece))).has_value();
  REQUIRE(ok);
  REQUIRE((*sink)->Close());
  return out.data();
}

class StringSource final : public ByteSource {
 public:
  explicit StringSource(const std::string& data) : data_(data) {}
  Result<std::size_t> Read(std::span<std::uint8_t> buf) override {
    std::size_t n = std::min(buf.size(), data_.size() - pos_);
    std::copy_n(data_.data() + pos_, n, buf.data());
    pos_ += n;
    return n;
  }

 private:
  const std::string& data_;
  std::size_t pos_ = 0;
};

std::string OurGunzip(const std::string& blob) {
  StringSource in(blob);
  auto d = MakeDecompressor(Compression::kGzip, in);
  REQUIRE(d);
  StringSink out;
  REQUIRE(Pump(**d, out));
  return out.data();
}

// The members zlib finds when it reads the blob to its end (0 when it is malformed or has bytes
// after the last member).
std::size_t CountMembers(const std::string& blob) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return 0;
  std::vector<std::uint8_t> buf(1 << 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(blob.data()));
  z.avail_in = static_cast<uInt>(blob.size());
  std::size_t members = 0;
  for (;;) {
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      ++members;
      if (z.avail_in == 0) break;
      if (inflateReset(&z) != Z_OK) return 0;
    } else if (rc != Z_OK) {
      members = 0;
      break;
    }
  }
  inflateEnd(&z);
  return members;
}

// One member per chunk, and one (empty) member for empty input.
std::size_t ExpectedMembers(std::size_t size) { return std::max<std::size_t>(1, (size + kChunk - 1) / kChunk); }

std::string Run(std::vector<std::string> argv, const std::string& input) {
  SpawnOptions options{.argv = std::move(argv), .pipe_stdin = true, .pipe_stdout = true};
  auto r = RunProcess(options, input);
  REQUIRE(r);
  CHECK(r->status.ok());
  return r->out;
}

constexpr const char* kPythonGunzip = R"(
import gzip, sys, zlib
blob = sys.stdin.buffer.read()
data, rest = b"", blob
while True:
    d = zlib.decompressobj(31)
    data += d.decompress(rest) + d.flush()
    assert d.eof, "truncated member"
    rest = d.unused_data
    if not rest:
        break
assert gzip.decompress(blob) == data
sys.stdout.buffer.write(data)
)";

TEST_CASE("round trip through our decoder, gzip -dc and python's gzip at chunk edges") {
  const std::size_t many = 20 * kChunk + 4321;  // more chunks than 2 x 8 workers keep in flight
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, kChunk - 1, kChunk, kChunk + 1, many}) {
    for (bool random : {false, true}) {
      CAPTURE(size);
      CAPTURE(random);
      const std::string data = random ? Random(size) : Text(size);
      const std::string blob = Gzip(data, 2);
      CHECK(CountMembers(blob) == ExpectedMembers(size));
      CHECK(OurGunzip(blob) == data);
      CHECK(Run({"gzip", "-dc"}, blob) == data);
      CHECK(Run({"python3", "-c", kPythonGunzip}, blob) == data);
    }
  }
}

TEST_CASE("each chunk is one member: fixed header, CRC-32 and size of that chunk") {
  const std::string data = Text(3 * kChunk + 5);
  const std::string blob = Gzip(data, 2);
  auto le32 = [](const std::uint8_t* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
           std::uint32_t{p[3]} << 24;
  };
  const std::string header("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  // Walk the members with zlib, checking each header and trailer in place.
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::vector<std::uint8_t> buf(kChunk + 1);
  std::size_t offset = 0, chunk = 0;
  while (offset < blob.size()) {
    CAPTURE(chunk);
    CHECK(blob.substr(offset, 10) == header);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(blob.data() + offset));
    z.avail_in = static_cast<uInt>(blob.size() - offset);
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    REQUIRE(inflate(&z, Z_FINISH) == Z_STREAM_END);
    const std::size_t end = blob.size() - z.avail_in;
    const std::string_view part = std::string_view(data).substr(chunk * kChunk, kChunk);
    CHECK(buf.size() - z.avail_out == part.size());
    const auto* tail = reinterpret_cast<const std::uint8_t*>(blob.data() + end - 8);
    CHECK(le32(tail) == crc32(0, reinterpret_cast<const Bytef*>(part.data()), static_cast<uInt>(part.size())));
    CHECK(le32(tail + 4) == part.size());
    REQUIRE(inflateReset(&z) == Z_OK);
    offset = end;
    ++chunk;
  }
  inflateEnd(&z);
  CHECK(chunk == 4);
}

TEST_CASE("bytes do not depend on the worker count or on how writes are split") {
  for (bool random : {false, true}) {
    CAPTURE(random);
    const std::string data = random ? Random(9 * kChunk + 99) : Text(9 * kChunk + 99);
    const std::string one = Gzip(data, 1);
    CHECK(Gzip(data, 2) == one);
    CHECK(Gzip(data, 8) == one);
    CHECK(Gzip(data, 3, 0) == one);           // a single write
    CHECK(Gzip(data, 2, kChunk) == one);      // writes on chunk edges
    CHECK(Gzip(data, 2, kChunk + 1) == one);  // and across them
  }
  const std::string small = Text(kChunk + 1);
  CHECK(Gzip(small, 2, 1) == Gzip(small, 1, 0));  // byte-at-a-time writes
}

TEST_CASE("MakeCompressor's threads option reaches gzip without changing the bytes") {
  const std::string data = Text(5 * kChunk);
  std::string blobs[3];
  int i = 0;
  for (int threads : {1, 2, 8}) {
    StringSink out;
    auto c = MakeCompressor({.compression = Compression::kGzip, .threads = threads}, out);
    REQUIRE(c);
    REQUIRE((*c)->Write(Bytes(data)));
    REQUIRE((*c)->Close());
    blobs[i++] = out.data();
  }
  CHECK(blobs[0] == blobs[1]);
  CHECK(blobs[0] == blobs[2]);
  CHECK(blobs[0] == Gzip(data, 4));
}

TEST_CASE("the level is honoured") {
  const std::string data = Text(4 * kChunk);
  const std::string fast = Gzip(data, 2, 7777, 1);
  const std::string best = Gzip(data, 2, 7777, 9);
  CHECK(Gzip(data, 2, 7777, 6) == Gzip(data, 2, 7777, 0));  // 0 is zlib's default, 6
  CHECK(fast != best);
  CHECK(best.size() < fast.size());
  CHECK(static_cast<unsigned char>(fast[8]) == 4);  // XFL: fastest
  CHECK(static_cast<unsigned char>(best[8]) == 2);  // XFL: best
  CHECK(OurGunzip(fast) == data);
  CHECK(OurGunzip(best) == data);
  for (int bad : {-1, 10}) {
    StringSink out;
    auto sink = MakeParallelGzip(out, bad, 2);
    REQUIRE_FALSE(sink);
    CHECK(sink.error().code() == ErrorCode::kInvalidArgument);
  }
}

// Accepts `budget` bytes, then fails every write; counts calls after the first failure.
class FailingSink final : public ByteSink {
 public:
  explicit FailingSink(std::size_t budget, bool fail_close = false)
      : budget_(budget), fail_close_(fail_close) {}
  Result<void> Write(std::span<const std::uint8_t> bytes) override {
    if (failed_) ++writes_after_failure;
    if (bytes.size() > budget_) {
      failed_ = true;
      return Fail(ErrorCode::kIo, "disk full");
    }
    budget_ -= bytes.size();
    return {};
  }
  Result<void> Close() override {
    if (fail_close_) return Fail(ErrorCode::kIo, "close failed");
    return {};
  }
  int writes_after_failure = 0;

 private:
  std::size_t budget_;
  bool fail_close_;
  bool failed_ = false;
};

TEST_CASE("a sink that fails mid-stream stops the compressor with its error") {
  const std::string data = Random(40 * kChunk);
  for (int workers : {1, 2, 8}) {
    CAPTURE(workers);
    FailingSink out(3 * kChunk);
    auto sink = MakeParallelGzip(out, 0, workers);
    REQUIRE(sink);
    Result<void> r;
    for (std::size_t i = 0; i < data.size() && r; i += 10000)
      r = (*sink)->Write(Bytes(std::string_view(data).substr(i, 10000)));
    if (r) r = (*sink)->Close();  // only reached if every chunk was still in flight
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::kIo);
    CHECK(r.error().message() == "disk full");
    // Later calls repeat the error without touching the sink again.
    auto again = (*sink)->Write(Bytes("more"));
    REQUIRE_FALSE(again);
    CHECK(again.error().code() == ErrorCode::kIo);
    REQUIRE_FALSE((*sink)->Close());
    CHECK(out.writes_after_failure == 0);
  }
}

TEST_CASE("a failing Close of the sink is reported") {
  FailingSink out(1 << 30, true);
  auto sink = MakeParallelGzip(out, 0, 2);
  REQUIRE(sink);
  REQUIRE((*sink)->Write(Bytes(Text(3 * kChunk))));
  auto r = (*sink)->Close();
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "close failed");
}

TEST_CASE("destroying an unclosed compressor with chunks in flight stops its workers") {
  StringSink out;
  {
    auto sink = MakeParallelGzip(out, 9, 8);
    REQUIRE(sink);
    REQUIRE((*sink)->Write(Bytes(Random(30 * kChunk))));
  }
  // Whatever was written is whole members of a prefix, never the 30 chunks (the caller never
  // commits such a blob: its digest is only known after Close).
  CHECK(CountMembers(out.data()) < 30);
}

TEST_CASE("Close is idempotent and Write after Close fails") {
  StringSink out;
  auto sink = MakeParallelGzip(out, 0, 2);
  REQUIRE(sink);
  REQUIRE((*sink)->Write(Bytes("abc")));
  REQUIRE((*sink)->Close());
  const std::string blob = out.data();
  CHECK((*sink)->Close());
  CHECK(out.data() == blob);
  CHECK_FALSE((*sink)->Write(Bytes("d")));
  CHECK(OurGunzip(blob) == "abc");
}

}  // namespace
}  // namespace builder::oci
