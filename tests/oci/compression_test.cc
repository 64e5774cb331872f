// Tests for gzip/zstd streaming, determinism, truncation and magic detection.
#include "oci/compression.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>

namespace builder::oci {
namespace {

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string data, std::size_t chunk = 1000)
      : data_(std::move(data)), chunk_(chunk) {}
  Result<std::size_t> Read(std::span<std::uint8_t> buf) override {
    std::size_t n = std::min<std::size_t>({buf.size(), chunk_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, n, buf.data());
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
};

std::string Sample(std::size_t size) {
  std::mt19937 rng(42);
  std::string s;
  while (s.size() < size) {
    s += "line " + std::to_string(rng() % 1000) + " of some text\n";
    s += static_cast<char>(rng());
  }
  s.resize(size);
  return s;
}

std::string Compress(const std::string& data, CompressOptions options) {
  StringSink out;
  auto c = MakeCompressor(options, out);
  REQUIRE(c);
  // Uneven writes exercise the streaming paths.
  for (std::size_t i = 0; i < data.size(); i += 7777) {
    auto piece = std::string_view(data).substr(i, 7777);
    REQUIRE((*c)->Write({reinterpret_cast<const std::uint8_t*>(piece.data()), piece.size()}));
  }
  REQUIRE((*c)->Close());
  return out.data();
}

Result<std::string> Decompress(const std::string& blob, Compression compression) {
  StringSource in(blob);
  auto d = BUILDER_TRY(MakeDecompressor(compression, in));
  StringSink out;
  BUILDER_TRY(Pump(*d, out));
  return out.data();
}

TEST_CASE("gzip and zstd round trip, deterministically") {
  const std::string data = Sample(1 << 20);
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kNone}) {
    CAPTURE(CompressionName(c));
    std::string a = Compress(data, {.compression = c});
    std::string b = Compress(data, {.compression = c});
    CHECK(a == b);
    auto back = Decompress(a, c);
    REQUIRE(back);
    CHECK(*back == data);
    CHECK(DetectCompression({reinterpret_cast<const std::uint8_t*>(a.data()), a.size()}) == c);
  }
}

TEST_CASE("gzip header is fixed: no mtime, OS 255") {
  std::string gz = Compress("hello", {.compression = Compression::kGzip});
  REQUIRE(gz.size() > 10);
  CHECK(gz.substr(4, 4) == std::string(4, '\0'));  // MTIME
  CHECK(static_cast<unsigned char>(gz[3]) == 0);   // FLG: no name, comment, extra
  CHECK(static_cast<unsigned char>(gz[9]) == 255);  // OS
}

TEST_CASE("zstd output does not depend on the worker count") {
  const std::string data = Sample(3 << 20);
  std::string one = Compress(data, {.compression = Compression::kZstd, .threads = 1});
  std::string two = Compress(data, {.compression = Compression::kZstd, .threads = 2});
  CHECK(one == two);
}

TEST_CASE("concatenated gzip members read as one stream") {
  std::string gz = Compress("abc", {.compression = Compression::kGzip}) +
                   Compress("def", {.compression = Compression::kGzip});
  CHECK(Decompress(gz, Compression::kGzip).value() == "abcdef");
}

TEST_CASE("truncated and garbled streams are kCorrupt") {
  const std::string data = Sample(200000);
  for (Compression c : {Compression::kGzip, Compression::kZstd}) {
    CAPTURE(CompressionName(c));
    std::string blob = Compress(data, {.compression = c});
    for (std::size_t cut : {std::size_t{0}, std::size_t{3}, blob.size() / 2, blob.size() - 1}) {
      CAPTURE(cut);
      auto r = Decompress(blob.substr(0, cut), c);
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::kCorrupt);
      if (cut > 0) CHECK(r.error().message().find("truncated") != std::string::npos);
    }
    std::string garbled = blob;
    garbled[garbled.size() / 2] ^= 0x55;
    garbled[garbled.size() / 2 + 1] ^= 0x55;
    auto r = Decompress(garbled, c);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::kCorrupt);
  }
}

TEST_CASE("DetectCompression") {
  auto detect = [](std::string s) {
    return DetectCompression({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  };
  CHECK(detect("\x1f\x8b\x08") == Compression::kGzip);
  CHECK(detect("\x28\xb5\x2f\xfd") == Compression::kZstd);
  CHECK(detect("\x28\xb5") == Compression::kNone);
  CHECK(detect("ustar") == Compression::kNone);
  CHECK(detect("") == Compression::kNone);
}

}  // namespace
}  // namespace builder::oci
