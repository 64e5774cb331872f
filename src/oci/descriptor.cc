// Descriptor parsing with per-field validation and canonical serialization.
#include "oci/descriptor.h"

#include <cctype>

#include "oci/json_codec.h"

namespace builder::oci {
namespace {

bool IsRestrictedNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '!' || c == '#' || c == '$' ||
         c == '&' || c == '^' || c == '_' || c == '.' || c == '+' || c == '-';
}

// RFC 6838 restricted-name: an alphanumeric first, then up to 126 more allowed characters.
bool IsRestrictedName(std::string_view s) {
  if (s.empty() || s.size() > 127 || !std::isalnum(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!IsRestrictedNameChar(c)) return false;
  }
  return true;
}

bool IsBase64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '=') {
      if (i + 2 < s.size()) return false;
      ++pad;
    } else if (pad > 0 || !(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) {
      return false;
    }
  }
  return true;
}

Result<std::string> ReadMediaType(const json::Value& value, std::string_view path,
                                  std::string_view key, bool required) {
  std::string media_type = BUILDER_TRY(required ? json::RequiredString(value, path, key)
                                                : json::String(value, path, key));
  if ((required || !media_type.empty()) && !IsValidMediaType(media_type)) {
    return json::FieldError(json::Join(path, key), "invalid media type \"" + media_type + "\"");
  }
  return media_type;
}

}  // namespace

bool IsValidMediaType(std::string_view s) {
  std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  return IsRestrictedName(s.substr(0, slash)) && IsRestrictedName(s.substr(slash + 1));
}

Descriptor Descriptor::For(std::string_view media_type, std::string_view bytes) {
  Descriptor d;
  d.media_type = std::string(media_type);
  d.digest = Digest::Of(bytes);
  d.size = static_cast<std::int64_t>(bytes.size());
  return d;
}

namespace json {

Result<Descriptor> ReadDescriptor(const Value& value, std::string_view path) {
  BUILDER_TRY(ExpectObject(value, path));
  Descriptor d;
  d.media_type = BUILDER_TRY(ReadMediaType(value, path, "mediaType", true));
  std::string digest = BUILDER_TRY(RequiredString(value, path, "digest"));
  auto parsed = Digest::Parse(digest);
  if (!parsed) return FieldError(Join(path, "digest"), parsed.error().message());
  d.digest = *parsed;
  d.size = BUILDER_TRY(Int64(value, path, "size", true));
  if (d.size < 0) return FieldError(Join(path, "size"), "must not be negative");
  d.urls = BUILDER_TRY(StringArray(value, path, "urls"));
  for (std::size_t i = 0; i < d.urls.size(); ++i) {
    // A URI needs a scheme ("https:"); anything else cannot be fetched.
    const std::string& url = d.urls[i];
    std::size_t colon = url.find(':');
    if (colon == std::string::npos || colon == 0 ||
        !std::isalpha(static_cast<unsigned char>(url[0]))) {
      return FieldError(Join(path, "urls") + "[" + std::to_string(i) + "]",
                        "not an absolute URI: \"" + url + "\"");
    }
  }
  d.annotations = BUILDER_TRY(StringMap(value, path, "annotations"));
  d.data = BUILDER_TRY(String(value, path, "data"));
  if (!IsBase64(d.data)) return FieldError(Join(path, "data"), "not base64");
  if (const Value* p = Find(value, "platform")) {
    d.platform = BUILDER_TRY(ReadPlatform(*p, Join(path, "platform")));
  }
  d.artifact_type = BUILDER_TRY(ReadMediaType(value, path, "artifactType", false));
  return d;
}

Ordered WriteDescriptor(const Descriptor& d) {
  Ordered out = Ordered::object();
  out["mediaType"] = d.media_type;
  out["digest"] = d.digest.str();
  out["size"] = d.size;
  if (!d.urls.empty()) out["urls"] = FromStrings(d.urls);
  if (!d.annotations.empty()) out["annotations"] = FromStringMap(d.annotations);
  if (!d.data.empty()) out["data"] = d.data;
  if (d.platform) out["platform"] = WritePlatform(*d.platform);
  if (!d.artifact_type.empty()) out["artifactType"] = d.artifact_type;
  return out;
}

}  // namespace json

Result<Descriptor> Descriptor::Parse(std::string_view text) {
  json::Value doc = BUILDER_TRY(json::ParseObject(text, "descriptor"));
  auto d = json::ReadDescriptor(doc, "descriptor");
  return d;
}

std::string Descriptor::Serialize() const { return json::Dump(json::WriteDescriptor(*this)); }

}  // namespace builder::oci
