// TarReader over libarchive's read API with every decompression filter enabled.
#include "oci/tar_reader.h"

namespace builder::oci {

TarReader::TarReader(ByteSource& in) : in_(in), archive_(archive_read_new()), buf_(1 << 16) {}

TarReader::~TarReader() {
  if (archive_) archive_read_free(archive_);
}

Result<std::unique_ptr<TarReader>> TarReader::Open(ByteSource& in) {
  std::unique_ptr<TarReader> r(new TarReader(in));
  archive* a = r->archive_;
  if (!a) return Fail(ErrorCode::kInternal, "archive_read_new failed");
  if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
      archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
      archive_read_support_filter_xz(a) != ARCHIVE_OK ||
      archive_read_support_filter_bzip2(a) != ARCHIVE_OK ||
      archive_read_support_format_tar(a) != ARCHIVE_OK ||
      archive_read_open2(a, r.get(), nullptr, &TarReader::ReadCallback, nullptr, nullptr) !=
          ARCHIVE_OK)
    return r->TarError("open tar");
  return r;
}

la_ssize_t TarReader::ReadCallback(archive*, void* self, const void** buf) {
  auto* r = static_cast<TarReader*>(self);
  auto n = r->in_.Read(r->buf_);
  if (!n) {
    // The first failure explains it: libarchive may read again, and a source read after its
    // failure can answer with a vaguer error.
    if (!r->read_error_) r->read_error_ = std::move(n).error();
    return -1;
  }
  *buf = r->buf_.data();
  return static_cast<la_ssize_t>(*n);
}

std::unexpected<Error> TarReader::TarError(std::string_view what) {
  if (read_error_) return Fail(*read_error_);
  const char* msg = archive_error_string(archive_);
  return Fail(ErrorCode::kCorrupt,
              std::string(what) + ": " + (msg ? msg : "not a tar archive"));
}

Result<archive_entry*> TarReader::Next() {
  archive_entry* entry = nullptr;
  int rc = archive_read_next_header(archive_, &entry);
  if (rc == ARCHIVE_EOF) return nullptr;
  if (rc < ARCHIVE_WARN) return TarError("read tar header");
  return entry;
}

Result<std::size_t> TarReader::Read(std::span<std::uint8_t> buf) {
  la_ssize_t n = archive_read_data(archive_, buf.data(), buf.size());
  if (n < 0) return TarError("read tar entry");
  return static_cast<std::size_t>(n);
}

}  // namespace builder::oci
