// Field readers and the canonical JSON writer shared by the oci document types.
#include "oci/json_codec.h"

#include <limits>

namespace builder::oci::json {
namespace {

// Far deeper than any real manifest or config; bounds nlohmann's work on hostile input.
constexpr int kMaxDepth = 64;

// Nesting depth of the brackets outside strings; stops counting once past the cap.
bool NestingWithinCap(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

std::string TypeName(const Value& v) { return v.type_name(); }

std::unexpected<Error> WrongType(std::string_view path, std::string_view key, const Value& v,
                                 std::string_view want) {
  return FieldError(Join(path, key), "expected " + std::string(want) + ", got " + TypeName(v));
}

}  // namespace

Result<Value> ParseObject(std::string_view text, std::string_view what) {
  if (!NestingWithinCap(text)) {
    return Fail(ErrorCode::kParse, std::string(what) + ": JSON nested deeper than " +
                                       std::to_string(kMaxDepth) + " levels");
  }
  Value doc = Value::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Fail(ErrorCode::kParse, std::string(what) + ": malformed JSON");
  }
  if (!doc.is_object()) {
    return Fail(ErrorCode::kCorrupt,
                std::string(what) + ": expected a JSON object, got " + TypeName(doc));
  }
  return doc;
}

std::string Dump(const Ordered& doc) {
  std::string raw = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // '<', '>', '&' and backslashes only occur inside strings in JSON text, so a byte scan that
  // steps over escape pairs rewrites exactly what Go's encoder writes differently.
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      char e = raw[++i];
      if (e == 'b') {
        out += "\\u0008";
      } else if (e == 'f') {
        out += "\\u000c";
      } else {
        out += c;
        out += e;
      }
    } else if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xe2' && i + 2 < raw.size() && raw[i + 1] == '\x80' &&
               (raw[i + 2] == '\xa8' || raw[i + 2] == '\xa9')) {
      out += raw[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string Join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return std::string(path) + "." + std::string(key);
}

std::unexpected<Error> FieldError(std::string_view path, std::string_view message) {
  return Fail(ErrorCode::kCorrupt, std::string(path) + ": " + std::string(message));
}

Result<void> ExpectObject(const Value& v, std::string_view path) {
  if (v.is_object()) return {};
  return FieldError(path, std::string("expected an object, got ") + v.type_name());
}

const Value* Find(const Value& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::string> String(const Value& object, std::string_view path, std::string_view key) {
  const Value* v = Find(object, key);
  if (v == nullptr) return std::string();
  if (!v->is_string()) return WrongType(path, key, *v, "a string");
  return v->get<std::string>();
}

Result<std::string> RequiredString(const Value& object, std::string_view path,
                                   std::string_view key) {
  if (Find(object, key) == nullptr) return FieldError(Join(path, key), "required field missing");
  return String(object, path, key);
}

Result<std::int64_t> Int64(const Value& object, std::string_view path, std::string_view key,
                           bool required) {
  const Value* v = Find(object, key);
  if (v == nullptr) {
    if (required) return FieldError(Join(path, key), "required field missing");
    return 0;
  }
  if (v->is_number_unsigned()) {
    auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return FieldError(Join(path, key), "integer out of range");
    }
    return static_cast<std::int64_t>(u);
  }
  if (v->is_number_integer()) return v->get<std::int64_t>();
  return WrongType(path, key, *v, "an integer");
}

Result<bool> Bool(const Value& object, std::string_view path, std::string_view key) {
  const Value* v = Find(object, key);
  if (v == nullptr) return false;
  if (!v->is_boolean()) return WrongType(path, key, *v, "a boolean");
  return v->get<bool>();
}

Result<std::vector<std::string>> StringArray(const Value& object, std::string_view path,
                                             std::string_view key) {
  std::vector<std::string> out;
  const Value* v = Find(object, key);
  if (v == nullptr) return out;
  if (!v->is_array()) return WrongType(path, key, *v, "an array of strings");
  out.reserve(v->size());
  for (std::size_t i = 0; i < v->size(); ++i) {
    const Value& item = (*v)[i];
    if (!item.is_string()) {
      return FieldError(Join(path, key) + "[" + std::to_string(i) + "]",
                        "expected a string, got " + TypeName(item));
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> StringMap(const Value& object, std::string_view path,
                                                     std::string_view key) {
  std::map<std::string, std::string> out;
  const Value* v = Find(object, key);
  if (v == nullptr) return out;
  if (!v->is_object()) return WrongType(path, key, *v, "an object of strings");
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) {
      return FieldError(Join(path, key) + "[\"" + it.key() + "\"]",
                        "expected a string, got " + TypeName(it.value()));
    }
    out.emplace(it.key(), it.value().get<std::string>());
  }
  return out;
}

Result<std::set<std::string>> KeySet(const Value& object, std::string_view path,
                                     std::string_view key) {
  std::set<std::string> out;
  const Value* v = Find(object, key);
  if (v == nullptr) return out;
  if (!v->is_object()) return WrongType(path, key, *v, "an object of objects");
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_object() && !it.value().is_null()) {
      return FieldError(Join(path, key) + "[\"" + it.key() + "\"]",
                        "expected an object, got " + TypeName(it.value()));
    }
    out.insert(it.key());
  }
  return out;
}

// The keys come unique and sorted, so they are appended as they are: ordered_json's operator[]
// searches its vector, which made 20,000 labels cost 20,000^2/2 key compares.
Ordered FromStringMap(const std::map<std::string, std::string>& map) {
  Ordered out = Ordered::object();
  auto& object = out.get_ref<Ordered::object_t&>();
  object.reserve(map.size());
  for (const auto& [k, v] : map) object.emplace_back(k, v);
  return out;
}

Ordered FromKeySet(const std::set<std::string>& keys) {
  Ordered out = Ordered::object();
  auto& object = out.get_ref<Ordered::object_t&>();
  object.reserve(keys.size());
  for (const auto& k : keys) object.emplace_back(k, Ordered::object());
  return out;
}

Ordered FromStrings(const std::vector<std::string>& strings) {
  Ordered out = Ordered::array();
  for (const auto& s : strings) out.push_back(s);
  return out;
}

}  // namespace builder::oci::json
