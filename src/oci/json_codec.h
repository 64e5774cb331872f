// Internal to src/oci: typed field access on parsed JSON with error paths, and canonical output.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::oci {

struct Descriptor;
struct Platform;

namespace json {

using Value = nlohmann::json;
/// Output documents keep insertion order: that order is the canonical key order.
using Ordered = nlohmann::ordered_json;

/// Parses text that must hold one JSON object. kParse for malformed JSON or nesting deeper than
/// a fixed cap (the cap keeps hostile input from exhausting the stack), kCorrupt if the
/// top-level value is not an object. `what` names the document in the message ("manifest").
[[nodiscard]] Result<Value> ParseObject(std::string_view text, std::string_view what);

/// Compact output with Go's encoding/json escaping ('<', '>', '&', U+2028, U+2029, \b and \f
/// as \u escapes), so our bytes match what Go tools write for the same document. Invalid UTF-8
/// becomes U+FFFD (raw, where Go writes the escape \ufffd).
std::string Dump(const Ordered& doc);

/// "a.b" for a path and a key (just "b" when the path is empty).
std::string Join(std::string_view path, std::string_view key);
/// kCorrupt "<path>: <message>".
std::unexpected<Error> FieldError(std::string_view path, std::string_view message);
/// FieldError at path unless v is a JSON object ("expected an object, got <type>").
[[nodiscard]] Result<void> ExpectObject(const Value& v, std::string_view path);

/// The member, or nullptr when it is absent or JSON null (Go treats both as unset).
const Value* Find(const Value& object, std::string_view key);

// Readers: an absent or null member yields the empty value; a present member of the wrong type
// is a kCorrupt error naming path.key.
[[nodiscard]] Result<std::string> String(const Value& object, std::string_view path,
                                         std::string_view key);
[[nodiscard]] Result<std::string> RequiredString(const Value& object, std::string_view path,
                                                 std::string_view key);
[[nodiscard]] Result<std::int64_t> Int64(const Value& object, std::string_view path,
                                         std::string_view key, bool required);
[[nodiscard]] Result<bool> Bool(const Value& object, std::string_view path, std::string_view key);
[[nodiscard]] Result<std::vector<std::string>> StringArray(const Value& object,
                                                           std::string_view path,
                                                           std::string_view key);
[[nodiscard]] Result<std::map<std::string, std::string>> StringMap(const Value& object,
                                                                   std::string_view path,
                                                                   std::string_view key);
/// An object whose values are all objects ({"80/tcp": {}}), as a set of its keys.
[[nodiscard]] Result<std::set<std::string>> KeySet(const Value& object, std::string_view path,
                                                   std::string_view key);

/// An object of strings, written in key order; used for annotations and labels.
Ordered FromStringMap(const std::map<std::string, std::string>& map);
Ordered FromKeySet(const std::set<std::string>& keys);
Ordered FromStrings(const std::vector<std::string>& strings);

// The shared pieces of manifests and indexes; defined next to their types.
[[nodiscard]] Result<Platform> ReadPlatform(const Value& value, std::string_view path);
Ordered WritePlatform(const Platform& platform);
[[nodiscard]] Result<Descriptor> ReadDescriptor(const Value& value, std::string_view path);
Ordered WriteDescriptor(const Descriptor& descriptor);

}  // namespace json
}  // namespace builder::oci
