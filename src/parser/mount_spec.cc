// --mount option parsing: Go encoding/csv field splitting, then BuildKit's key rules.
#include "parser/mount_spec.h"

#include <array>
#include <cstdint>
#include <vector>

#include "parser/suggest.h"

namespace builder::parser {

namespace {

std::unexpected<Error> Invalid(std::string message) {
  return Fail(ErrorCode::kParse, std::move(message));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// One CSV record with Go's encoding/csv defaults (',' separator, strict quotes, no trimming).
Result<std::vector<std::string>> SplitCsv(std::string_view s) {
  auto csv_error = [](std::size_t col, std::string_view what) {
    return Invalid("failed to parse csv mounts: parse error on line 1, column " +
                   std::to_string(col) + ": " + std::string(what));
  };
  if (s.empty()) return Invalid("failed to parse csv mounts: EOF");
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (true) {
    std::string field;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (true) {
        std::size_t q = s.find('"', i);
        if (q == std::string_view::npos)
          return csv_error(s.size() + 1, "extraneous or missing \" in quoted-field");
        field.append(s.substr(i, q - i));
        i = q + 1;
        if (i < s.size() && s[i] == '"') {
          field += '"';
          ++i;
          continue;
        }
        if (i < s.size() && s[i] != ',')
          return csv_error(i + 1, "extraneous or missing \" in quoted-field");
        break;
      }
    } else {
      std::size_t comma = s.find(',', i);
      std::string_view raw = s.substr(i, comma == std::string_view::npos ? s.npos : comma - i);
      if (std::size_t q = raw.find('"'); q != std::string_view::npos)
        return csv_error(i + q + 1, "bare \" in non-quoted-field");
      field = raw;
      i += raw.size();
    }
    fields.push_back(std::move(field));
    if (i >= s.size()) break;
    ++i;  // the comma
    if (i == s.size()) {
      fields.emplace_back();
      break;
    }
  }
  return fields;
}

// Go's strconv.ParseBool.
std::optional<bool> ParseGoBool(std::string_view v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False")
    return false;
  return std::nullopt;
}

// strconv.ParseUint(v, base, 32) succeeds.
bool IsUint32(std::string_view v, int base) {
  if (v.empty()) return false;
  std::uint64_t n = 0;
  for (char c : v) {
    int d = c >= '0' && c <= '9' ? c - '0' : 99;
    if (d >= base) return false;
    n = n * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
    if (n > 0xffffffffull) return false;
  }
  return true;
}

// docker/go-units RAMInBytes: a decimal number, optional space, optional k/m/g/t/p, optional
// i, optional b ("64m", "1.5GiB", "512").
bool IsRamSize(std::string_view v) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    return i > start;
  };
  if (!digits()) return false;
  while (i < v.size() && v[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < v.size() && v[i] == ' ') ++i;
  if (i < v.size() && std::string_view("kKmMgGtTpP").find(v[i]) != std::string_view::npos) ++i;
  if (i < v.size() && (v[i] == 'i' || v[i] == 'I')) ++i;
  if (i < v.size() && (v[i] == 'b' || v[i] == 'B')) ++i;
  return i == v.size();
}

bool HasVariable(std::string_view v) { return v.find('$') != std::string_view::npos; }

constexpr std::array<std::string_view, 5> kMountTypes = {"bind", "cache", "tmpfs", "secret", "ssh"};
constexpr std::array<std::string_view, 3> kSharing = {"shared", "private", "locked"};
constexpr std::array<std::string_view, 19> kKeys = {
    "type",     "from",      "source", "target", "readonly",   "id",  "sharing",
    "required", "mode",      "uid",    "gid",    "src",        "dst", "ro",
    "rw",       "readwrite", "size",   "env",    "destination"};

}  // namespace

Result<MountSpec> ParseMountSpec(std::string_view value) {
  std::vector<std::string> fields = BUILDER_TRY(SplitCsv(value));
  MountSpec m;
  m.text = std::string(value);
  bool type_known = true;
  bool required_given = false;
  for (const std::string& field : fields) {
    std::size_t eq = field.find('=');
    std::string key = Lower(std::string_view(field).substr(0, eq));
    if (eq == std::string::npos) {
      if (key == "readonly" || key == "ro") {
        m.read_only = true;
        m.read_only_set = true;
        continue;
      }
      if (key == "readwrite" || key == "rw") {
        m.read_only = false;
        m.read_only_set = true;
        continue;
      }
      if (key == "required") {
        m.required = true;
        required_given = true;
        continue;
      }
      return Invalid("invalid field '" + field + "' must be a key=value pair");
    }
    std::string v = field.substr(eq + 1);
    bool deferred = HasVariable(v);
    if (key == "type") {
      if (deferred) {
        type_known = false;
        m.type = v;
        continue;
      }
      std::string lower = Lower(v);
      bool ok = false;
      for (std::string_view t : kMountTypes) ok = ok || t == lower;
      if (!ok)
        return Invalid(WithSuggestion("unsupported mount type " + Quote(v), v, kMountTypes, true));
      m.type = lower;
    } else if (key == "from") {
      if (deferred)
        return Invalid("'from' doesn't support variable expansion, define alias stage instead");
      m.from = v;
    } else if (key == "source" || key == "src") {
      m.source = v;
    } else if (key == "target" || key == "dst" || key == "destination") {
      m.target = v;
    } else if (key == "readonly" || key == "ro" || key == "readwrite" || key == "rw") {
      m.read_only_set = true;
      if (deferred) continue;
      std::optional<bool> b = ParseGoBool(v);
      if (!b) return Invalid("invalid value for " + key + ": " + v);
      m.read_only = (key == "readonly" || key == "ro") ? *b : !*b;
    } else if (key == "required") {
      required_given = true;
      if (deferred) continue;
      std::optional<bool> b = ParseGoBool(v);
      if (!b) return Invalid("invalid value for " + key + ": " + v);
      m.required = *b;
    } else if (key == "id") {
      m.id = v;
    } else if (key == "sharing") {
      if (!deferred) {
        std::string lower = Lower(v);
        bool ok = false;
        for (std::string_view t : kSharing) ok = ok || t == lower;
        if (!ok) return Invalid("unsupported sharing value " + Quote(v));
        v = lower;
      }
      m.sharing = v;
    } else if (key == "mode") {
      if (!deferred && !IsUint32(v, 8)) return Invalid("invalid value " + v + " for mode");
      m.mode = v;
    } else if (key == "uid" || key == "gid") {
      if (!deferred && !IsUint32(v, 10)) return Invalid("invalid value " + v + " for " + key);
      (key == "uid" ? m.uid : m.gid) = v;
    } else if (key == "size") {
      if (!deferred && !IsRamSize(v)) return Invalid("invalid value for size: " + v);
      m.size = v;
    } else if (key == "env") {
      m.env = v;
    } else {
      return Invalid(
          WithSuggestion("unexpected key '" + key + "' in '" + field + "'", key, kKeys, true));
    }
  }
  if (!type_known) return m;  // the type-dependent rules run again after expansion

  const std::string& t = m.type;
  bool file_info = t == "secret" || t == "ssh" || t == "cache";
  if (!m.mode.empty() && !file_info)
    return Invalid("mode not allowed for " + Quote(t) + " type mounts");
  if (!m.uid.empty() && !file_info)
    return Invalid("uid not allowed for " + Quote(t) + " type mounts");
  if (!m.gid.empty() && !file_info)
    return Invalid("gid not allowed for " + Quote(t) + " type mounts");
  if (!m.size.empty() && t != "tmpfs")
    return Invalid("size not allowed for " + Quote(t) + " type mounts");
  if (!m.env.empty() && t != "secret")
    return Invalid("env not allowed for " + Quote(t) + " type mounts");
  if (required_given && t != "secret" && t != "ssh")
    return Invalid("unexpected key 'required' for mount type '" + t + "'");
  if (!m.read_only_set) m.read_only = !(t == "cache" || t == "tmpfs");
  if (!m.sharing.empty() && t != "cache")
    return Invalid("invalid cache sharing set for " + t + " mount");
  if (t == "secret") {
    if (!m.from.empty()) return Invalid("secret mount should not have a from");
    if (m.source.empty() && m.target.empty() && m.id.empty())
      return Invalid("invalid secret mount. one of source, target required");
    if (!m.source.empty() && !m.id.empty()) return Invalid("both source and id can't be set");
  }
  if (t != "secret" && t != "ssh" && m.target.empty())
    return Invalid("mount type " + Quote(t) + " requires a target");
  if (m.target == "/") return Invalid("invalid mount target \"/\"");
  return m;
}

}  // namespace builder::parser
