// The canonical, length-prefixed encoding behind CacheKey.
#include "cache/cache_key.h"

#include <array>

namespace builder::cache {

namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Result<CacheKey> CacheKey::Parse(std::string_view text) {
  std::string_view hex = text;
  if (hex.starts_with("sha256:")) hex.remove_prefix(7);
  if (hex.size() != 64 || !IsLowerHex(hex)) {
    return Fail(ErrorCode::kInvalidArgument, "invalid cache key \"" + std::string(text) + "\"");
  }
  return CacheKey(std::string(hex));
}

CacheKeyBuilder::CacheKeyBuilder(std::string_view domain) {
  Str("builder-cache-key");
  Str(domain);
}

void CacheKeyBuilder::U64(std::uint64_t v) {
  std::array<std::uint8_t, 8> bytes;
  for (int i = 7; i >= 0; --i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v & 0xff);
    v >>= 8;
  }
  sha_.Update(bytes);
}

void CacheKeyBuilder::Str(std::string_view s) {
  U64(s.size());
  sha_.Update(s);
}

CacheKeyBuilder& CacheKeyBuilder::Add(std::string_view name, std::string_view value) {
  sha_.Update("S");
  Str(name);
  Str(value);
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::AddKey(std::string_view name, const CacheKey& key) {
  sha_.Update("K");
  Str(name);
  Str(key.hex());
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::AddInt(std::string_view name, std::uint64_t value) {
  sha_.Update("U");
  Str(name);
  U64(value);
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::AddList(std::string_view name,
                                          const std::vector<std::string>& items) {
  sha_.Update("L");
  Str(name);
  U64(items.size());
  for (const std::string& item : items) Str(item);
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::AddMap(std::string_view name,
                                         const std::map<std::string, std::string>& map) {
  sha_.Update("M");
  Str(name);
  U64(map.size());
  for (const auto& [k, v] : map) {  // std::map iterates in byte order of the keys
    Str(k);
    Str(v);
  }
  return *this;
}

CacheKey CacheKeyBuilder::Finish() { return CacheKey(sha_.FinishHex()); }

}  // namespace builder::cache
