// Layer compression: streaming gzip (zlib) and zstd compressors/decompressors, magic detection.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "base/error.h"
#include "oci/byte_stream.h"
#include "oci/media_types.h"  // Compression, CompressionName

namespace builder::oci {

/// Guesses from the first bytes of a blob: gzip 1f 8b, zstd 28 b5 2f fd, anything else kNone.
/// Four bytes are enough; fewer are treated as kNone.
Compression DetectCompression(std::span<const std::uint8_t> head);

struct CompressOptions {
  Compression compression = Compression::kGzip;
  /// Codec level; 0 picks the codec default (gzip 6, zstd 3).
  int level = 0;
  /// Compression worker threads (gzip and zstd); 0 uses the online cores (capped at 8).
  int threads = 0;
};

/// A sink that compresses what it is given into `out` (borrowed; must outlive the result).
/// Output is deterministic for a given input and options:
///  - gzip: one member per 1 MiB chunk, headers with mtime 0, no name and OS byte 255
///    ("unknown", as Go writes); chunks are compressed in parallel (see parallel_gzip.h) and the
///    bytes do not depend on the worker count;
///  - zstd: whenever libzstd has thread support, at least one worker is used: libzstd's
///    multithreaded mode cuts jobs by parameters, not by worker count, so 1 and N workers give
///    the same bytes (a test pins this), while 0 workers would differ. Frames carry a checksum.
/// kNone passes bytes through. Close() finishes the stream and closes `out`.
[[nodiscard]] Result<std::unique_ptr<ByteSink>> MakeCompressor(const CompressOptions& options,
                                                               ByteSink& out);

/// A source that decompresses `in` (borrowed). Concatenated gzip members and zstd frames are
/// read as one stream. A stream that ends mid-member/frame fails with kCorrupt
/// ("truncated gzip stream" / "truncated zstd stream"), as does malformed data.
/// kNone passes bytes through.
[[nodiscard]] Result<std::unique_ptr<ByteSource>> MakeDecompressor(Compression compression,
                                                                   ByteSource& in);

}  // namespace builder::oci
