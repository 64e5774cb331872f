// Layer blob writer/reader: the compressor or decompressor sits between two hashing stages.
#include "oci/layer_stream.h"

#include <vector>

namespace builder::oci {
namespace {

// Sha256 always yields 64 lower-case hex characters, which FromSha256Hex accepts.
Digest FinishDigest(Sha256& hash) { return Digest::FromSha256Hex(hash.FinishHex()).value(); }

}  // namespace

struct LayerBlobWriter::Blob final : ByteSink {
  explicit Blob(int fd) : fd_sink(fd) {}
  Result<void> Write(std::span<const std::uint8_t> bytes) override {
    if (hashing) hash.Update(bytes);
    size += bytes.size();
    return fd_sink.Write(bytes);
  }
  Result<void> Close() override { return fd_sink.Close(); }

  FdSink fd_sink;
  Sha256 hash;
  bool hashing = true;  // an uncompressed blob is the tar itself: its digest is the diff_id
  std::uint64_t size = 0;
};

LayerBlobWriter::~LayerBlobWriter() = default;

Result<std::unique_ptr<LayerBlobWriter>> LayerBlobWriter::Create(int fd,
                                                                 const CompressOptions& options) {
  std::unique_ptr<LayerBlobWriter> w(new LayerBlobWriter());
  w->blob_ = std::make_unique<Blob>(fd);
  w->blob_->hashing = options.compression != Compression::kNone;
  w->compressor_ = BUILDER_TRY(MakeCompressor(options, *w->blob_));
  return w;
}

Result<void> LayerBlobWriter::Write(std::span<const std::uint8_t> bytes) {
  if (finished_) return Fail(ErrorCode::kInternal, "layer blob: write after finish");
  tar_hash_.Update(bytes);
  tar_size_ += bytes.size();
  return compressor_->Write(bytes);
}

Result<void> LayerBlobWriter::Close() {
  BUILDER_TRY(Finish());
  return {};
}

Result<LayerDigests> LayerBlobWriter::Finish() {
  if (finished_) return result_;
  BUILDER_TRY(compressor_->Close());
  finished_ = true;
  result_.diff_id = FinishDigest(tar_hash_);
  result_.digest = blob_->hashing ? FinishDigest(blob_->hash) : result_.diff_id;
  result_.size = blob_->size;
  result_.uncompressed_size = tar_size_;
  return result_;
}

struct LayerBlobReader::Blob final : ByteSource {
  explicit Blob(int fd) : fd_source(fd) {}
  Result<std::size_t> Read(std::span<std::uint8_t> buf) override {
    std::size_t n = BUILDER_TRY(fd_source.Read(buf));
    hash.Update(std::span<const std::uint8_t>(buf.data(), n));
    size += n;
    return n;
  }

  FdSource fd_source;
  Sha256 hash;
  std::uint64_t size = 0;
};

LayerBlobReader::~LayerBlobReader() = default;

Result<std::unique_ptr<LayerBlobReader>> LayerBlobReader::Open(int fd, Compression compression,
                                                               LayerExpectation expect) {
  for (const Digest* d : {&expect.digest, &expect.diff_id})
    if (!d->empty() && !d->is_sha256())
      return Fail(ErrorCode::kUnsupported, "cannot verify " + d->str() + ": only sha256");
  std::unique_ptr<LayerBlobReader> r(new LayerBlobReader());
  r->blob_ = std::make_unique<Blob>(fd);
  r->decompressor_ = BUILDER_TRY(MakeDecompressor(compression, *r->blob_));
  r->expect_ = std::move(expect);
  return r;
}

Result<std::size_t> LayerBlobReader::Read(std::span<std::uint8_t> buf) {
  if (failure_) return Fail(*failure_);
  if (verified_) return 0;
  std::size_t n = BUILDER_TRY(decompressor_->Read(buf));
  if (n > 0) {
    tar_hash_.Update(std::span<const std::uint8_t>(buf.data(), n));
    tar_size_ += n;
    return n;
  }
  // The decompressor has seen the end of its input; bytes after it (none for well-formed
  // blobs) are hashed too so the digest covers the whole file.
  std::vector<std::uint8_t> rest(1 << 14);
  while (BUILDER_TRY(blob_->Read(rest)) > 0) {
  }
  verified_ = true;
  result_.digest = FinishDigest(blob_->hash);
  result_.diff_id = FinishDigest(tar_hash_);
  result_.size = blob_->size;
  result_.uncompressed_size = tar_size_;
  if (!expect_.digest.empty() && expect_.digest != result_.digest) {
    failure_ = Error(ErrorCode::kCorrupt,
                     "digest mismatch: expected " + expect_.digest.str() + ", got " +
                         result_.digest.str());
  } else if (!expect_.diff_id.empty() && expect_.diff_id != result_.diff_id) {
    failure_ = Error(ErrorCode::kCorrupt,
                     "diff_id mismatch: expected " + expect_.diff_id.str() + ", got " +
                         result_.diff_id.str());
  }
  if (failure_) return Fail(*failure_);
  return 0;
}

Result<LayerDigests> LayerBlobReader::DrainAndVerify() {
  std::vector<std::uint8_t> buf(1 << 16);
  while (BUILDER_TRY(Read(buf)) > 0) {
  }
  return result_;
}

}  // namespace builder::oci
