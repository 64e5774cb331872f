// gzip via zlib (compression in parallel_gzip.cc) and zstd via libzstd, as ByteSink/ByteSource
// adapters with fixed buffers.
#include "oci/compression.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "oci/parallel_gzip.h"

namespace builder::oci {
namespace {

constexpr std::size_t kBufSize = 1 << 16;

// The worker count asked for, or the online cores capped at 8.
int Workers(const CompressOptions& options) {
  if (options.threads > 0) return options.threads;
  return static_cast<int>(std::min<long>(8, std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN))));
}

class GzipDecompressor final : public ByteSource {
 public:
  explicit GzipDecompressor(ByteSource& in) : in_(in), buf_(kBufSize) {}
  ~GzipDecompressor() override {
    if (initialized_) inflateEnd(&z_);
  }

  Result<void> Init() {
    if (inflateInit2(&z_, 15 + 16) != Z_OK) return Fail(ErrorCode::kInternal, "inflateInit2 failed");
    initialized_ = true;
    return {};
  }

  Result<std::size_t> Read(std::span<std::uint8_t> out) override {
    if (out.empty()) return 0;
    z_.next_out = out.data();
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size(), 1u << 30));
    const uInt want = z_.avail_out;
    for (;;) {
      if (z_.avail_in == 0 && !in_eof_) {
        std::size_t n = BUILDER_TRY(in_.Read(buf_));
        in_eof_ = n == 0;
        z_.next_in = buf_.data();
        z_.avail_in = static_cast<uInt>(n);
      }
      if (!in_member_) {
        if (z_.avail_in == 0 && in_eof_) return 0;
        // Another member follows a finished one (gzip allows concatenation).
        if (inflateReset(&z_) != Z_OK) return Fail(ErrorCode::kInternal, "inflateReset failed");
        in_member_ = true;
      }
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc == Z_BUF_ERROR) {
        // No progress possible: fine if more input may come, truncation at the end.
        if (z_.avail_in == 0 && in_eof_) return Fail(ErrorCode::kCorrupt, "truncated gzip stream");
      } else if (rc != Z_OK) {
        return Fail(ErrorCode::kCorrupt,
                    std::string("invalid gzip data: ") + (z_.msg ? z_.msg : std::to_string(rc)));
      }
      std::size_t produced = want - z_.avail_out;
      if (produced > 0) return produced;
    }
  }

 private:
  ByteSource& in_;
  std::vector<std::uint8_t> buf_;
  z_stream z_{};
  bool initialized_ = false;
  bool in_eof_ = false;
  bool in_member_ = true;
};

class ZstdCompressor final : public ByteSink {
 public:
  explicit ZstdCompressor(ByteSink& out) : out_(out), buf_(ZSTD_CStreamOutSize()) {}

  Result<void> Init(const CompressOptions& options) {
    if (!ctx_) return Fail(ErrorCode::kInternal, "ZSTD_createCCtx failed");
    BUILDER_TRY(Check(ZSTD_CCtx_setParameter(ctx_.get(), ZSTD_c_compressionLevel,
                                             options.level == 0 ? 3 : options.level)));
    BUILDER_TRY(Check(ZSTD_CCtx_setParameter(ctx_.get(), ZSTD_c_checksumFlag, 1)));
    ZSTD_bounds workers = ZSTD_cParam_getBounds(ZSTD_c_nbWorkers);
    if (!ZSTD_isError(workers.error) && workers.upperBound > 0) {
      int n = std::clamp(Workers(options), 1, workers.upperBound);
      BUILDER_TRY(Check(ZSTD_CCtx_setParameter(ctx_.get(), ZSTD_c_nbWorkers, n)));
      // libzstd's default job (4x the window) costs ~30 MB per worker in buffers; 2 MiB jobs keep
      // a layer write well under 64 MB peak RSS for a negligible ratio loss. Jobs are cut by size,
      // not by worker count, so output stays the same for any number of workers.
      BUILDER_TRY(Check(ZSTD_CCtx_setParameter(ctx_.get(), ZSTD_c_jobSize, 2 << 20)));
    }
    return {};
  }

  Result<void> Write(std::span<const std::uint8_t> bytes) override {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    while (in.pos < in.size) BUILDER_TRY(Step(ZSTD_e_continue, in));
    return {};
  }

  Result<void> Close() override {
    if (closed_) return {};
    closed_ = true;
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
      std::size_t remaining = BUILDER_TRY(Step(ZSTD_e_end, in));
      if (remaining == 0) break;
    }
    return out_.Close();
  }

 private:
  static Result<std::size_t> Check(std::size_t rc) {
    if (ZSTD_isError(rc))
      return Fail(ErrorCode::kInternal, std::string("zstd: ") + ZSTD_getErrorName(rc));
    return rc;
  }

  Result<std::size_t> Step(ZSTD_EndDirective mode, ZSTD_inBuffer& in) {
    ZSTD_outBuffer out{buf_.data(), buf_.size(), 0};
    std::size_t rc = BUILDER_TRY(Check(ZSTD_compressStream2(ctx_.get(), &out, &in, mode)));
    if (out.pos) BUILDER_TRY(out_.Write(std::span(buf_.data(), out.pos)));
    return rc;
  }

  ByteSink& out_;
  std::vector<std::uint8_t> buf_;
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> ctx_{ZSTD_createCCtx(), &ZSTD_freeCCtx};
  bool closed_ = false;
};

class ZstdDecompressor final : public ByteSource {
 public:
  explicit ZstdDecompressor(ByteSource& in) : src_(in), buf_(ZSTD_DStreamInSize()) {}

  Result<void> Init() {
    if (!ctx_) return Fail(ErrorCode::kInternal, "ZSTD_createDCtx failed");
    // Bound the window so a hostile frame header cannot ask for gigabytes (zstd CLI default).
    ZSTD_DCtx_setParameter(ctx_.get(), ZSTD_d_windowLogMax, 27);
    return {};
  }

  Result<std::size_t> Read(std::span<std::uint8_t> out_buf) override {
    if (out_buf.empty()) return 0;
    ZSTD_outBuffer out{out_buf.data(), out_buf.size(), 0};
    for (;;) {
      if (in_.pos == in_.size && !in_eof_) {
        std::size_t n = BUILDER_TRY(src_.Read(buf_));
        in_eof_ = n == 0;
        in_ = ZSTD_inBuffer{buf_.data(), n, 0};
      }
      // pending_ == 0 means the last frame was fully decoded and flushed.
      if (in_.pos == in_.size && in_eof_ && pending_ == 0) return 0;
      std::size_t rc = ZSTD_decompressStream(ctx_.get(), &out, &in_);
      if (ZSTD_isError(rc))
        return Fail(ErrorCode::kCorrupt, std::string("invalid zstd data: ") + ZSTD_getErrorName(rc));
      pending_ = rc;
      if (out.pos > 0) return out.pos;
      if (in_.pos == in_.size && in_eof_ && pending_ != 0)
        return Fail(ErrorCode::kCorrupt, "truncated zstd stream");
    }
  }

 private:
  ByteSource& src_;
  std::vector<std::uint8_t> buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx_{ZSTD_createDCtx(), &ZSTD_freeDCtx};
  bool in_eof_ = false;
  std::size_t pending_ = 1;  // nothing read yet: an empty input is a truncated stream
};

class PassthroughSink final : public ByteSink {
 public:
  explicit PassthroughSink(ByteSink& out) : out_(out) {}
  Result<void> Write(std::span<const std::uint8_t> bytes) override { return out_.Write(bytes); }
  Result<void> Close() override { return out_.Close(); }

 private:
  ByteSink& out_;
};

class Passthrough final : public ByteSource {
 public:
  explicit Passthrough(ByteSource& in) : in_(in) {}
  Result<std::size_t> Read(std::span<std::uint8_t> buf) override { return in_.Read(buf); }

 private:
  ByteSource& in_;
};

}  // namespace

Compression DetectCompression(std::span<const std::uint8_t> head) {
  if (head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b) return Compression::kGzip;
  if (head.size() >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
    return Compression::kZstd;
  return Compression::kNone;
}

Result<std::unique_ptr<ByteSink>> MakeCompressor(const CompressOptions& options, ByteSink& out) {
  switch (options.compression) {
    case Compression::kGzip:
      return MakeParallelGzip(out, options.level, Workers(options));
    case Compression::kZstd: {
      auto c = std::make_unique<ZstdCompressor>(out);
      BUILDER_TRY(c->Init(options));
      return c;
    }
    case Compression::kNone:
      return std::make_unique<PassthroughSink>(out);
  }
  return Fail(ErrorCode::kInvalidArgument, "unknown compression");
}

Result<std::unique_ptr<ByteSource>> MakeDecompressor(Compression compression, ByteSource& in) {
  switch (compression) {
    case Compression::kGzip: {
      auto d = std::make_unique<GzipDecompressor>(in);
      BUILDER_TRY(d->Init());
      return d;
    }
    case Compression::kZstd: {
      auto d = std::make_unique<ZstdDecompressor>(in);
      BUILDER_TRY(d->Init());
      return d;
    }
    case Compression::kNone:
      return std::make_unique<Passthrough>(in);
  }
  return Fail(ErrorCode::kInvalidArgument, "unknown compression");
}

}  // namespace builder::oci
