// Test helper: tars built in memory, a ByteSource over a string, and entry listings.
#pragma once

#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "oci/byte_stream.h"
#include "oci/compression.h"
#include "oci/tar_reader.h"
#include "oci/tar_writer.h"

namespace builder::oci::testing {

/// Reads from a string.
class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  Result<std::size_t> Read(std::span<std::uint8_t> buf) override {
    std::size_t n = std::min(buf.size(), data_.size() - pos_);
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
};

/// A tar of regular files (name, content), in the order given; names ending in '/' are
/// directories; "name -> target" entries (content starting with "->") are symlinks.
inline std::string MakeTar(const std::vector<std::pair<std::string, std::string>>& files,
                           std::int64_t mtime = 0) {
  StringSink sink;
  auto tar = TarWriter::Create(sink);
  REQUIRE(tar);
  for (const auto& [name, content] : files) {
    if (name.ends_with('/')) {
      REQUIRE((*tar)->AddDirectory(name, mtime));
    } else if (content.starts_with("->")) {
      archive_entry* e = archive_entry_new();
      archive_entry_copy_pathname(e, name.c_str());
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_perm(e, 0777);
      archive_entry_copy_symlink(e, content.substr(2).c_str());
      archive_entry_set_mtime(e, mtime, 0);
      REQUIRE((*tar)->WriteHeader(e));
      archive_entry_free(e);
    } else {
      REQUIRE((*tar)->AddBytes(name, content, mtime));
    }
  }
  REQUIRE((*tar)->Close());
  return sink.data();
}

/// Compresses bytes with gzip or zstd.
inline std::string Compress(const std::string& data, Compression compression) {
  StringSink sink;
  auto c = MakeCompressor({compression}, sink);
  REQUIRE(c);
  REQUIRE((*c)->Write({reinterpret_cast<const std::uint8_t*>(data.data()), data.size()}));
  REQUIRE((*c)->Close());
  return sink.data();
}

/// Every entry of a tar (any compression): name -> content (empty for non-files), in order.
inline std::vector<std::pair<std::string, std::string>> ReadTar(const std::string& data) {
  StringSource source(data);
  auto reader = TarReader::Open(source);
  REQUIRE(reader);
  std::vector<std::pair<std::string, std::string>> out;
  for (;;) {
    auto entry = (*reader)->Next();
    REQUIRE(entry);
    if (*entry == nullptr) break;
    StringSink content;
    REQUIRE(Pump(**reader, content));
    out.emplace_back(archive_entry_pathname(*entry), content.data());
  }
  return out;
}

}  // namespace builder::oci::testing
