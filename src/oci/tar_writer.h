// TarWriter: a deterministic PAX tar written to a ByteSink (archives and rewritten layers).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <archive.h>
#include <archive_entry.h>

#include "base/error.h"
#include "oci/byte_stream.h"

namespace builder::oci {

/// Writes PAX (restricted) tar entries to a borrowed sink. The helpers write entries with
/// numeric owner 0:0, no user/group names and the given mtime, so the same calls give the
/// same bytes. The archive ends with the two zero blocks, unpadded.
class TarWriter {
 public:
  /// `sink` is borrowed; Close() ends the tar but does not close the sink.
  [[nodiscard]] static Result<std::unique_ptr<TarWriter>> Create(ByteSink& sink);
  ~TarWriter();

  /// A directory entry "name/" (mode 0755).
  [[nodiscard]] Result<void> AddDirectory(std::string_view name, std::int64_t mtime);
  /// A regular file (mode 0644) holding bytes.
  [[nodiscard]] Result<void> AddBytes(std::string_view name, std::string_view bytes,
                                      std::int64_t mtime);
  /// A regular file of exactly `size` bytes read from `data` (kCorrupt if it yields another
  /// count).
  [[nodiscard]] Result<void> AddStream(std::string_view name, std::int64_t size,
                                       ByteSource& data, std::int64_t mtime);
  /// An arbitrary header as given (the caller normalized it), followed by WriteData calls
  /// for its size.
  [[nodiscard]] Result<void> WriteHeader(archive_entry* entry);
  [[nodiscard]] Result<void> WriteData(std::span<const std::uint8_t> bytes);
  /// Writes the end-of-archive blocks.
  [[nodiscard]] Result<void> Close();

 private:
  explicit TarWriter(ByteSink& sink);
  static la_ssize_t WriteCallback(archive*, void* self, const void* buf, size_t len);
  std::unexpected<Error> ArchiveError(std::string_view what);
  archive_entry* Header(std::string_view name, unsigned type, unsigned mode, std::int64_t size,
                        std::int64_t mtime);

  ByteSink& sink_;
  archive* archive_ = nullptr;
  archive_entry* entry_ = nullptr;
  std::optional<Error> sink_error_;
  bool closed_ = false;
};

}  // namespace builder::oci
