// Binary encoding of the file-hash cache: fixed-width fields, explicit little-endian order.
#include "cache/file_hash_table.h"

#include <algorithm>
#include <cstring>

namespace builder::cache {
namespace {

constexpr std::string_view kMagic = "builder-filehash\n";
constexpr std::uint32_t kVersion = 2;
constexpr std::size_t kHashLength = 64;
constexpr std::uint32_t kMaxPath = 1 << 16;

void PutU64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Reads fields off the front of the input; any overrun marks it failed.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }
  std::uint64_t U64() { return Le(8); }
  std::uint32_t U32() { return static_cast<std::uint32_t>(Le(4)); }
  std::string_view Bytes(std::size_t n) {
    if (in_.size() < n) {
      ok_ = false;
      return {};
    }
    std::string_view b = in_.substr(0, n);
    in_.remove_prefix(n);
    return b;
  }

 private:
  std::uint64_t Le(std::size_t n) {
    std::string_view b = Bytes(n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < b.size(); ++i) v |= std::uint64_t{static_cast<unsigned char>(b[i])} << (8 * i);
    return v;
  }
  std::string_view in_;
  bool ok_ = true;
};

bool IsHexHash(std::string_view h) {
  if (h.size() != kHashLength) return false;
  for (char c : h) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string EncodeFileHashTable(const std::vector<FileHashRecord>& records) {
  std::string out(kMagic);
  PutU32(out, kVersion);
  PutU64(out, records.size());
  for (const FileHashRecord& r : records) {
    PutU32(out, static_cast<std::uint32_t>(r.path.size()));
    out += r.path;
    PutU64(out, r.dev);
    PutU64(out, r.ino);
    PutU64(out, r.size);
    PutU64(out, static_cast<std::uint64_t>(r.mtime_ns));
    PutU64(out, static_cast<std::uint64_t>(r.ctime_ns));
    PutU32(out, r.mode);
    out += r.hash;
  }
  return out;
}

std::optional<std::vector<FileHashRecord>> DecodeFileHashTable(std::string_view bytes) {
  if (!bytes.starts_with(kMagic)) return std::nullopt;
  Reader in(bytes.substr(kMagic.size()));
  if (in.U32() != kVersion) return std::nullopt;
  std::uint64_t count = in.U64();
  if (!in.ok()) return std::nullopt;
  std::vector<FileHashRecord> records;
  // Every record takes more than 100 bytes: a count beyond that is a lie, not an allocation.
  records.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(count, bytes.size() / 100)));
  for (std::uint64_t i = 0; i < count; ++i) {
    FileHashRecord r;
    std::uint32_t path_len = in.U32();
    if (!in.ok() || path_len == 0 || path_len > kMaxPath) return std::nullopt;
    r.path = in.Bytes(path_len);
    if (r.path.find('\0') != std::string::npos) return std::nullopt;
    r.dev = in.U64();
    r.ino = in.U64();
    r.size = in.U64();
    r.mtime_ns = static_cast<std::int64_t>(in.U64());
    r.ctime_ns = static_cast<std::int64_t>(in.U64());
    r.mode = in.U32();
    r.hash = in.Bytes(kHashLength);
    if (!in.ok() || !IsHexHash(r.hash)) return std::nullopt;
    records.push_back(std::move(r));
  }
  if (!in.done()) return std::nullopt;
  return records;
}

}  // namespace builder::cache
