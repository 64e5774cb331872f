// TarReader: sequential reading of a tar stream (plain or gzip/zstd/xz/bzip2-compressed).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "base/error.h"
#include "oci/byte_stream.h"

namespace builder::oci {

/// Reads the entries of a tar archive pulled from a borrowed ByteSource, one after the other.
/// Compression is detected by libarchive from the first bytes (gzip, zstd, xz, bzip2, or
/// none). The reader is itself a ByteSource over the data of the current entry.
class TarReader final : public ByteSource {
 public:
  /// `in` is borrowed and must outlive the reader. Fails with kCorrupt when the stream is not
  /// a (compressed) tar.
  [[nodiscard]] static Result<std::unique_ptr<TarReader>> Open(ByteSource& in);
  ~TarReader() override;

  /// The next entry header (owned by the reader, valid until the next call), or nullptr at the
  /// end of the archive. kCorrupt for malformed or truncated input.
  [[nodiscard]] Result<archive_entry*> Next();
  /// The current entry's data; 0 at its end.
  [[nodiscard]] Result<std::size_t> Read(std::span<std::uint8_t> buf) override;

 private:
  explicit TarReader(ByteSource& in);
  static la_ssize_t ReadCallback(archive*, void* self, const void** buf);
  std::unexpected<Error> TarError(std::string_view what);

  ByteSource& in_;
  archive* archive_ = nullptr;
  std::vector<std::uint8_t> buf_;
  std::optional<Error> read_error_;
};

}  // namespace builder::oci
