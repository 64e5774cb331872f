// TarWriter over libarchive's pax_restricted writer.
#include "oci/tar_writer.h"

#include <sys/stat.h>

#include <vector>

#include "oci/tar_locale.h"

namespace builder::oci {

TarWriter::TarWriter(ByteSink& sink)
    : sink_(sink), archive_(archive_write_new()), entry_(archive_entry_new()) {}

TarWriter::~TarWriter() {
  if (archive_) archive_write_free(archive_);
  if (entry_) archive_entry_free(entry_);
}

Result<std::unique_ptr<TarWriter>> TarWriter::Create(ByteSink& sink) {
  std::unique_ptr<TarWriter> w(new TarWriter(sink));
  archive* a = w->archive_;
  if (!a || !w->entry_) return Fail(ErrorCode::kInternal, "archive_write_new failed");
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
      archive_write_open2(a, w.get(), nullptr, &TarWriter::WriteCallback, nullptr, nullptr) !=
          ARCHIVE_OK)
    return w->ArchiveError("start tar");
  return w;
}

la_ssize_t TarWriter::WriteCallback(archive*, void* self, const void* buf, size_t len) {
  auto* w = static_cast<TarWriter*>(self);
  auto r = w->sink_.Write({static_cast<const std::uint8_t*>(buf), len});
  if (!r) {
    w->sink_error_ = std::move(r).error();
    return -1;
  }
  return static_cast<la_ssize_t>(len);
}

std::unexpected<Error> TarWriter::ArchiveError(std::string_view what) {
  if (sink_error_) return Fail(std::move(*sink_error_));
  const char* msg = archive_error_string(archive_);
  return Fail(ErrorCode::kIo, std::string(what) + ": " + (msg ? msg : "libarchive error"));
}

archive_entry* TarWriter::Header(std::string_view name, unsigned type, unsigned mode,
                                 std::int64_t size, std::int64_t mtime) {
  archive_entry_clear(entry_);
  archive_entry_copy_pathname(entry_, std::string(name).c_str());
  archive_entry_set_filetype(entry_, type);
  archive_entry_set_perm(entry_, mode);
  archive_entry_set_uid(entry_, 0);
  archive_entry_set_gid(entry_, 0);
  archive_entry_set_size(entry_, size);
  archive_entry_set_mtime(entry_, mtime, 0);
  return entry_;
}

Result<void> TarWriter::WriteHeader(archive_entry* entry) {
  ScopedUtf8Locale locale;
  if (archive_write_header(archive_, entry) < ARCHIVE_WARN) {
    const char* name = archive_entry_pathname(entry);
    return ArchiveError(std::string("write tar header ") + (name ? name : "?"));
  }
  return {};
}

Result<void> TarWriter::WriteData(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return {};
  la_ssize_t n = archive_write_data(archive_, bytes.data(), bytes.size());
  if (n != static_cast<la_ssize_t>(bytes.size())) return ArchiveError("write tar data");
  return {};
}

Result<void> TarWriter::AddDirectory(std::string_view name, std::int64_t mtime) {
  std::string dir(name);
  if (!dir.ends_with('/')) dir += '/';
  return WriteHeader(Header(dir, AE_IFDIR, 0755, 0, mtime));
}

Result<void> TarWriter::AddBytes(std::string_view name, std::string_view bytes,
                                 std::int64_t mtime) {
  BUILDER_TRY(WriteHeader(Header(name, AE_IFREG, 0644, static_cast<std::int64_t>(bytes.size()),
                                 mtime)));
  return WriteData({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
}

Result<void> TarWriter::AddStream(std::string_view name, std::int64_t size, ByteSource& data,
                                  std::int64_t mtime) {
  BUILDER_TRY(WriteHeader(Header(name, AE_IFREG, 0644, size, mtime)));
  std::vector<std::uint8_t> buf(1 << 16);
  std::int64_t total = 0;
  for (;;) {
    std::size_t n = BUILDER_TRY(data.Read(buf));
    if (n == 0) break;
    total += static_cast<std::int64_t>(n);
    if (total > size) break;
    BUILDER_TRY(WriteData({buf.data(), n}));
  }
  if (total != size) {
    return Fail(ErrorCode::kCorrupt, std::string(name) + ": expected " + std::to_string(size) +
                                         " bytes, source had " +
                                         (total > size ? "more" : std::to_string(total)));
  }
  return {};
}

Result<void> TarWriter::Close() {
  if (closed_) return {};
  closed_ = true;
  if (archive_write_close(archive_) != ARCHIVE_OK) return ArchiveError("finish tar");
  return {};
}

}  // namespace builder::oci
