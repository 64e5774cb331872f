// Platform specifier parsing, containerd-compatible normalization and matching.
#include "oci/platform.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>

#include "oci/json_codec.h"

namespace builder::oci {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsKnownOs(std::string_view os) {
  static constexpr std::string_view kOses[] = {
      "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",    "illumos", "ios", "js",
      "linux", "nacl",    "netbsd", "openbsd",   "plan9",   "solaris", "windows", "zos"};
  return std::find(std::begin(kOses), std::end(kOses), os) != std::end(kOses);
}

bool IsKnownArch(std::string_view arch) {
  static constexpr std::string_view kArches[] = {
      "386",     "amd64",   "amd64p32", "arm",    "armbe",  "arm64",    "arm64be",   "ppc64",
      "ppc64le", "loong64", "mips",     "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le",
      "ppc",     "riscv",   "riscv64",  "s390",   "s390x",  "sparc",    "sparc64",   "wasm"};
  return std::find(std::begin(kArches), std::end(kArches), arch) != std::end(kArches);
}

std::string NormalizeOs(std::string_view os) {
  std::string out = Lower(os);
  if (out == "macos") out = "darwin";
  return out;
}

void NormalizeArch(std::string& arch, std::string& variant) {
  arch = Lower(arch);
  variant = Lower(variant);
  if (arch == "i386") {
    arch = "386";
    variant.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (variant == "v1") variant.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (variant == "8" || variant == "v8") variant.clear();
  } else if (arch == "armhf") {
    arch = "arm";
    variant = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    variant = "v6";
  } else if (arch == "arm") {
    if (variant.empty() || variant == "7") {
      variant = "v7";
    } else if (variant == "5" || variant == "6" || variant == "8") {
      variant = "v" + variant;
    }
  }
}

bool IsComponentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

std::unexpected<Error> BadSpecifier(std::string_view specifier, std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument,
              "invalid platform \"" + std::string(specifier) + "\": " + std::string(why));
}

// Splits "<os>[(<version>[+<feature>]*)]" into its parts.
Result<void> ParseOsPart(std::string_view specifier, std::string_view part, Platform& p) {
  std::string_view name = part;
  std::string_view options;
  if (std::size_t open = part.find('('); open != std::string_view::npos) {
    if (!part.ends_with(')')) return BadSpecifier(specifier, "unterminated os options");
    name = part.substr(0, open);
    options = part.substr(open + 1, part.size() - open - 2);
  }
  if (name.empty()) return BadSpecifier(specifier, "empty os");
  for (char c : name) {
    if (!IsComponentChar(c) || c == '.') return BadSpecifier(specifier, "invalid os component");
  }
  for (char c : options) {
    if (!IsComponentChar(c) && c != '+') return BadSpecifier(specifier, "invalid os options");
  }
  p.os = NormalizeOs(name);
  std::size_t plus = options.find('+');
  p.os_version = std::string(options.substr(0, plus));
  while (plus != std::string_view::npos) {
    std::size_t next = options.find('+', plus + 1);
    std::string_view feature = options.substr(
        plus + 1, next == std::string_view::npos ? std::string_view::npos : next - plus - 1);
    if (feature.empty()) return BadSpecifier(specifier, "empty os feature");
    p.os_features.emplace_back(feature);
    plus = next;
  }
  return {};
}

}  // namespace

Result<Platform> Platform::Parse(std::string_view specifier) {
  if (specifier.find('*') != std::string_view::npos) {
    return BadSpecifier(specifier, "wildcards are not supported");
  }
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = specifier.find('/', start);
    parts.push_back(
        specifier.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() > 3) return BadSpecifier(specifier, "too many components");
  Platform p;
  BUILDER_TRY(ParseOsPart(specifier, parts[0], p));
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].empty()) return BadSpecifier(specifier, "empty component");
    for (char c : parts[i]) {
      if (!IsComponentChar(c)) return BadSpecifier(specifier, "invalid character");
    }
  }
  Platform host = Host();
  switch (parts.size()) {
    case 1:
      if (IsKnownOs(p.os)) {
        p.architecture = host.architecture;
        if (host.variant != "v7" || host.architecture != "arm") p.variant = host.variant;
        return p;
      }
      if (!p.os_version.empty() || !p.os_features.empty()) {
        return BadSpecifier(specifier, "unknown operating system");
      }
      p.architecture = std::string(parts[0]);
      NormalizeArch(p.architecture, p.variant);
      if (p.architecture == "arm" && p.variant == "v7") p.variant.clear();
      if (!IsKnownArch(p.architecture)) {
        return BadSpecifier(specifier, "unknown operating system or architecture");
      }
      p.os = host.os;
      return p;
    case 2:
      p.architecture = std::string(parts[1]);
      NormalizeArch(p.architecture, p.variant);
      if (p.architecture == "arm" && p.variant == "v7") p.variant.clear();
      return p;
    default:
      p.architecture = std::string(parts[1]);
      p.variant = std::string(parts[2]);
      NormalizeArch(p.architecture, p.variant);
      if (p.architecture == "arm64" && p.variant.empty()) p.variant = "v8";
      return p;
  }
}

Platform Platform::Host() {
  Platform p;
  struct utsname u {};
  p.os = uname(&u) == 0 ? NormalizeOs(u.sysname) : "linux";
#if defined(__x86_64__)
  p.architecture = "amd64";
#elif defined(__aarch64__)
  p.architecture = "arm64";
#elif defined(__arm__)
  p.architecture = "arm";
#if defined(__ARM_ARCH) && __ARM_ARCH >= 5 && __ARM_ARCH <= 8
  p.variant = "v" + std::to_string(__ARM_ARCH);
#endif
#elif defined(__i386__)
  p.architecture = "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  p.architecture = "ppc64le";
#elif defined(__powerpc64__)
  p.architecture = "ppc64";
#elif defined(__s390x__)
  p.architecture = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  p.architecture = "riscv64";
#elif defined(__loongarch64)
  p.architecture = "loong64";
#else
  p.architecture = "unknown";
#endif
  return p.Normalized();
}

Platform Platform::Normalized() const {
  Platform p = *this;
  p.os = NormalizeOs(p.os);
  NormalizeArch(p.architecture, p.variant);
  std::sort(p.os_features.begin(), p.os_features.end());
  p.os_features.erase(std::unique(p.os_features.begin(), p.os_features.end()), p.os_features.end());
  return p;
}

bool Platform::Matches(const Platform& candidate) const {
  Platform want = Normalized();
  Platform have = candidate.Normalized();
  if (want.os != have.os || want.architecture != have.architecture ||
      want.variant != have.variant) {
    return false;
  }
  return std::includes(want.os_features.begin(), want.os_features.end(), have.os_features.begin(),
                       have.os_features.end());
}

std::string Platform::ToString() const {
  if (os.empty()) return "unknown";
  std::string out = os;
  if (!architecture.empty()) out += "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

namespace json {

Result<Platform> ReadPlatform(const Value& value, std::string_view path) {
  BUILDER_TRY(ExpectObject(value, path));
  Platform p;
  p.architecture = BUILDER_TRY(RequiredString(value, path, "architecture"));
  p.os = BUILDER_TRY(RequiredString(value, path, "os"));
  p.os_version = BUILDER_TRY(String(value, path, "os.version"));
  p.os_features = BUILDER_TRY(StringArray(value, path, "os.features"));
  p.variant = BUILDER_TRY(String(value, path, "variant"));
  return p;
}

Ordered WritePlatform(const Platform& platform) {
  Ordered out = Ordered::object();
  out["architecture"] = platform.architecture;
  out["os"] = platform.os;
  if (!platform.os_version.empty()) out["os.version"] = platform.os_version;
  if (!platform.os_features.empty()) out["os.features"] = FromStrings(platform.os_features);
  if (!platform.variant.empty()) out["variant"] = platform.variant;
  return out;
}

}  // namespace json

Result<Platform> Platform::ParseJson(std::string_view text) {
  json::Value doc = BUILDER_TRY(json::ParseObject(text, "platform"));
  auto p = json::ReadPlatform(doc, "platform");
  return p;
}

std::string Platform::Serialize() const { return json::Dump(json::WritePlatform(*this)); }

}  // namespace builder::oci
