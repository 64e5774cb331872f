// Layer blob streams: write tar bytes as a compressed blob hashing both forms in one pass, and
// read a blob back decompressed, verifying both digests at the end of the stream.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "base/sha256.h"
#include "oci/byte_stream.h"
#include "oci/compression.h"
#include "oci/digest.h"

namespace builder::oci {

/// What a finished layer blob is known by (sha256 digests).
struct LayerDigests {
  Digest digest;                       ///< of the blob as stored (compressed)
  Digest diff_id;                      ///< of the uncompressed tar
  std::uint64_t size = 0;              ///< blob bytes
  std::uint64_t uncompressed_size = 0; ///< tar bytes
};

/// Takes the uncompressed tar stream and writes the compressed blob to a borrowed fd (normally a
/// temp file in the store's tmp/), hashing tar and blob as the bytes pass. Memory is constant.
class LayerBlobWriter final : public ByteSink {
 public:
  /// `fd` is borrowed and written from its current offset; it is not fsynced or closed.
  [[nodiscard]] static Result<std::unique_ptr<LayerBlobWriter>> Create(
      int fd, const CompressOptions& options);
  ~LayerBlobWriter() override;

  [[nodiscard]] Result<void> Write(std::span<const std::uint8_t> bytes) override;
  /// Ends the compressed stream. Same as Finish() without the result.
  [[nodiscard]] Result<void> Close() override;
  /// Ends the stream and returns the digests; calling it again returns the same result.
  [[nodiscard]] Result<LayerDigests> Finish();

 private:
  LayerBlobWriter() = default;
  struct Blob;
  std::unique_ptr<Blob> blob_;         // hashing + counting fd sink under the compressor
  std::unique_ptr<ByteSink> compressor_;
  Sha256 tar_hash_;
  std::uint64_t tar_size_ = 0;
  bool finished_ = false;
  LayerDigests result_;
};

/// What a reader checks once the stream has ended; an empty Digest skips that check. Only
/// sha256 can be verified (Open fails with kUnsupported for other algorithms).
struct LayerExpectation {
  Digest digest;   ///< of the blob
  Digest diff_id;  ///< of the uncompressed tar
};

/// Reads a blob from a borrowed fd and yields the uncompressed tar. When the blob ends (Read
/// returns 0) both digests are compared with the expectation: a mismatch is kCorrupt, so a
/// caller must consume the stream to the end (DrainAndVerify) before trusting what it extracted.
class LayerBlobReader final : public ByteSource {
 public:
  [[nodiscard]] static Result<std::unique_ptr<LayerBlobReader>> Open(
      int fd, Compression compression, LayerExpectation expect);
  ~LayerBlobReader() override;

  [[nodiscard]] Result<std::size_t> Read(std::span<std::uint8_t> buf) override;
  /// Reads and discards the rest (e.g. tar padding after the end-of-archive blocks) and
  /// returns the verification result.
  [[nodiscard]] Result<LayerDigests> DrainAndVerify();

 private:
  LayerBlobReader() = default;
  struct Blob;
  std::unique_ptr<Blob> blob_;
  std::unique_ptr<ByteSource> decompressor_;
  LayerExpectation expect_;
  Sha256 tar_hash_;
  std::uint64_t tar_size_ = 0;
  bool verified_ = false;
  std::optional<Error> failure_;  // sticky: every later Read repeats it
  LayerDigests result_;
};

}  // namespace builder::oci
