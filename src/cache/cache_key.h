// CacheKey and CacheKeyBuilder: build-cache keys hashed from typed, unambiguously encoded fields.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/sha256.h"

namespace builder::cache {

/// A build-cache key: the sha256 of a step's canonical encoding (see CacheKeyBuilder). A value
/// type; default-constructed keys are empty() and stand for "no parent" (the first step).
class CacheKey {
 public:
  CacheKey() = default;

  /// Parses 64 lower-case hex characters, with or without a "sha256:" prefix.
  /// Errors: kInvalidArgument.
  [[nodiscard]] static Result<CacheKey> Parse(std::string_view text);

  /// 64 lower-case hex characters; empty for an empty key.
  const std::string& hex() const { return hex_; }
  /// "sha256:<hex>", or "" for an empty key.
  std::string str() const { return hex_.empty() ? std::string() : "sha256:" + hex_; }
  bool empty() const { return hex_.empty(); }

  auto operator<=>(const CacheKey&) const = default;

 private:
  friend class CacheKeyBuilder;
  explicit CacheKey(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

/// Hashes named, typed fields into a CacheKey. The encoding is injective, so different field
/// splits never collide (("ab","c") and ("a","bc") give different keys):
///
///   key     = sha256(header field*)
///   header  = str("builder-cache-key") str(domain)
///   field   = tag str(name) body
///   str(s)  = u64be(len(s)) s
///   tag     = 'S' (Add: body = str(value))
///           | 'K' (AddKey: body = str(hex of the key, "" when empty))
///           | 'U' (AddInt: body = u64be(value))
///           | 'L' (AddList: body = u64be(count) str(item)*, in the given order)
///           | 'M' (AddMap: body = u64be(count) (str(key) str(value))*, sorted by key bytes)
///
/// Field order matters (it is part of the step); callers add fields in a fixed order. The
/// domain separates key families (step keys, step-identity records) that must never collide.
class CacheKeyBuilder {
 public:
  explicit CacheKeyBuilder(std::string_view domain = "step/v1");

  CacheKeyBuilder& Add(std::string_view name, std::string_view value);
  CacheKeyBuilder& AddKey(std::string_view name, const CacheKey& key);
  CacheKeyBuilder& AddInt(std::string_view name, std::uint64_t value);
  CacheKeyBuilder& AddList(std::string_view name, const std::vector<std::string>& items);
  CacheKeyBuilder& AddMap(std::string_view name, const std::map<std::string, std::string>& map);

  /// The key over everything added so far. The builder is spent afterwards.
  CacheKey Finish();

 private:
  void Str(std::string_view s);
  void U64(std::uint64_t v);
  Sha256 sha_;
};

}  // namespace builder::cache
