// --cache-to / --cache-from value parsing: comma-separated key=value attributes.
#include "cache/cache_spec.h"

#include <map>

namespace builder::cache {

namespace {

Result<std::map<std::string, std::string>> Attributes(std::string_view value, const char* flag) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = value.find(',', start);
    std::string_view part = value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return Fail(ErrorCode::kInvalidArgument, std::string(flag) + ": expected key=value, got \"" + std::string(part) + "\"");
    std::string key(part.substr(0, eq));
    if (!out.emplace(key, std::string(part.substr(eq + 1))).second)
      return Fail(ErrorCode::kInvalidArgument, std::string(flag) + ": " + key + " given twice");
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<CacheSpec> Parse(std::string_view value, bool export_side) {
  const char* flag = export_side ? "--cache-to" : "--cache-from";
  if (value.empty()) return Fail(ErrorCode::kInvalidArgument, std::string(flag) + ": empty value");
  CacheSpec spec;
  if (value.find('=') == std::string_view::npos) {  // a bare REF
    spec.ref = std::string(value);
    spec.plain_ref = true;
    return spec;
  }
  auto attrs = BUILDER_TRY(Attributes(value, flag));
  auto take = [&](const std::string& key) -> std::string {
    auto it = attrs.find(key);
    if (it == attrs.end()) return "";
    std::string v = it->second;
    attrs.erase(it);
    return v;
  };
  std::string type = take("type");
  if (type.empty()) type = "registry";
  if (type == "registry") {
    spec.type = CacheSpec::Type::kRegistry;
    spec.ref = take("ref");
    if (spec.ref.empty()) return Fail(ErrorCode::kInvalidArgument, std::string(flag) + ": type=registry needs ref=");
  } else if (type == "local") {
    spec.type = CacheSpec::Type::kLocal;
    spec.dir = take(export_side ? "dest" : "src");
    if (spec.dir.empty())
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(flag) + ": type=local needs " + (export_side ? "dest=" : "src="));
  } else if (type == "inline" && export_side) {
    spec.type = CacheSpec::Type::kInline;
  } else if (type == "inline") {
    return Fail(ErrorCode::kInvalidArgument,
                "--cache-from: type=inline is export-only; name the image instead (--cache-from REF)");
  } else {
    return Fail(ErrorCode::kInvalidArgument, std::string(flag) + ": unknown type \"" + type + "\"");
  }
  if (export_side) {
    std::string mode = take("mode");
    if (mode == "max") spec.max = true;
    else if (!mode.empty() && mode != "min")
      return Fail(ErrorCode::kInvalidArgument, "--cache-to: mode must be min or max, not \"" + mode + "\"");
    std::string ignore = take("ignore-error");
    if (ignore == "true") spec.ignore_error = true;
    else if (!ignore.empty() && ignore != "false")
      return Fail(ErrorCode::kInvalidArgument, "--cache-to: ignore-error must be true or false");
    // BuildKit's format knobs: this export is always an OCI image manifest.
    for (const char* known : {"image-manifest", "oci-mediatypes", "compression", "compression-level", "force-compression"})
      take(known);
  }
  if (!attrs.empty())
    return Fail(ErrorCode::kInvalidArgument, std::string(flag) + ": unknown attribute \"" + attrs.begin()->first + "\"");
  return spec;
}

}  // namespace

Result<CacheSpec> ParseCacheTo(std::string_view value) { return Parse(value, true); }
Result<CacheSpec> ParseCacheFrom(std::string_view value) { return Parse(value, false); }

}  // namespace builder::cache
