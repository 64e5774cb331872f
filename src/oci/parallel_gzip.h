// Parallel deterministic gzip: fixed-size chunks compressed by worker threads, one gzip member each.
#pragma once

#include <cstddef>
#include <memory>

#include "base/error.h"
#include "oci/byte_stream.h"

namespace builder::oci {

/// Uncompressed bytes per chunk. Part of the output format: changing it changes every gzip
/// layer digest (the worker count never does).
inline constexpr std::size_t kGzipChunkSize = 1024 * 1024;

/// At most this many gzip workers, whatever the caller asks for.
inline constexpr int kMaxGzipWorkers = 32;

/// A sink that gzips what it is given into `out` (borrowed; must outlive the result). The input
/// is cut into kGzipChunkSize chunks and each becomes one complete gzip member (RFC 1952 allows
/// a file of several; gzip, zlib, Go's reader as containerd/skopeo/umoci use it, and libarchive
/// read them all, and eStargz layers are built the same way), compressed with libdeflate by one
/// of `workers` threads (clamped to 1..kMaxGzipWorkers). Headers have mtime 0, no name and OS
/// 255. The bytes depend only on the input and `level` (1-9; 0 means 6), never on the worker
/// count or on how the input is split across Write() calls. Empty input is one empty member.
/// libdeflate rather than zlib: about twice as fast at the same level, and slightly smaller.
/// At most 2 x workers chunks are in flight. `out` is only called from inside Write() and
/// Close(), on the caller's thread, in stream order; its first error is returned by that call
/// and by every later one. Close() stops the workers and closes `out`. Destroying the sink
/// without Close() stops the workers and leaves `out` with an incomplete stream.
/// Fails with kInvalidArgument for a level outside 0-9, kInternal if libdeflate or threads fail.
[[nodiscard]] Result<std::unique_ptr<ByteSink>> MakeParallelGzip(ByteSink& out, int level,
                                                                 int workers);

}  // namespace builder::oci
