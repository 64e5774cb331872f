// Docker-compatible reference normalization and validation (distribution/reference grammar).
#include "oci/reference.h"

#include <cctype>

namespace builder::oci {
namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr std::size_t kNameMaxLength = 255;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool HasUpper(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

std::unexpected<Error> Invalid(std::string_view text, std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument,
              "invalid reference \"" + std::string(text) + "\": " + std::string(why));
}

bool IsIdentifier(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

// A domain-name component: alphanumerics and inner hyphens.
bool IsDomainComponent(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

// host [":" port], host being dotted domain components or a bracketed IPv6 address.
bool IsValidDomain(std::string_view domain) {
  std::string_view host = domain;
  std::string_view port;
  bool has_port = false;
  if (!domain.empty() && domain.front() == '[') {
    std::size_t close = domain.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : domain.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
    }
    host = {};
    std::string_view rest = domain.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      has_port = true;
      port = rest.substr(1);
    }
  } else if (std::size_t colon = domain.find(':'); colon != std::string_view::npos) {
    host = domain.substr(0, colon);
    has_port = true;
    port = domain.substr(colon + 1);
  }
  if (has_port) {
    if (port.empty()) return false;
    for (char c : port) {
      if (!IsDigit(c)) return false;
    }
  }
  if (domain.front() == '[') return true;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = host.find('.', start);
    std::string_view component =
        host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!IsDomainComponent(component)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// alphanumeric+ (separator alphanumeric+)*, separator: "." | "_" | "__" | "-"+.
bool IsPathComponent(std::string_view s) {
  std::size_t i = 0;
  while (true) {
    std::size_t run = i;
    while (i < s.size() && IsLowerAlnum(s[i])) ++i;
    if (i == run) return false;
    if (i == s.size()) return true;
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
  }
}

bool IsValidPath(std::string_view path) {
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    if (!IsPathComponent(
            path.substr(start, slash == std::string_view::npos ? slash : slash - start))) {
      return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// distribution's splitDockerDomain: which part of a familiar name is the registry.
void SplitDockerDomain(std::string_view name, std::string& domain, std::string& remainder) {
  std::size_t slash = name.find('/');
  if (slash == std::string_view::npos) {
    domain = kDefaultDomain;
    remainder = std::string(kOfficialPrefix) + std::string(name);
    return;
  }
  std::string_view first = name.substr(0, slash);
  if (first == "localhost" || first.find_first_of(".:") != std::string_view::npos ||
      HasUpper(first)) {
    domain = first == kLegacyDefaultDomain ? kDefaultDomain : first;
    remainder = std::string(name.substr(slash + 1));
  } else {
    domain = kDefaultDomain;
    remainder = std::string(name);
  }
  if (domain == kDefaultDomain && remainder.find('/') == std::string::npos) {
    remainder = std::string(kOfficialPrefix) + remainder;
  }
}

}  // namespace

bool IsValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) { return IsAlnum(c) || c == '_'; };
  if (!word(tag.front())) return false;
  for (char c : tag) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

Result<Reference> Reference::Parse(std::string_view text) {
  if (text.empty()) return Invalid(text, "empty reference");
  if (IsIdentifier(text)) {
    return Invalid(text, "a 64-character hexadecimal string is an image id, not a name");
  }
  std::string domain;
  std::string remainder;
  SplitDockerDomain(text, domain, remainder);
  std::string_view remote = std::string_view(remainder).substr(0, remainder.find(':'));
  if (HasUpper(remote)) {
    return Invalid(text, "repository name \"" + std::string(remote) + "\" must be lowercase");
  }

  Reference ref;
  std::string_view rest = remainder;
  if (std::size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view digest_text = rest.substr(at + 1);
    auto digest = Digest::Parse(digest_text);
    if (!digest) return Invalid(text, digest.error().message());
    std::string_view algorithm = digest->algorithm();
    if (algorithm != "sha256" && algorithm != "sha384" && algorithm != "sha512") {
      return Invalid(text, "unsupported digest algorithm \"" + std::string(algorithm) + "\"");
    }
    ref.digest_ = *digest;
    rest = rest.substr(0, at);
  }
  std::size_t last_slash = rest.rfind('/');
  std::size_t colon = rest.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
  if (colon != std::string_view::npos) {
    std::string_view tag = rest.substr(colon + 1);
    if (!IsValidTag(tag)) return Invalid(text, "invalid tag \"" + std::string(tag) + "\"");
    ref.tag_ = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (!IsValidDomain(domain)) {
    return Invalid(text, "invalid registry domain \"" + domain + "\"");
  }
  if (!IsValidPath(rest)) {
    return Invalid(text, "invalid repository path \"" + std::string(rest) + "\"");
  }
  if (domain.size() + 1 + rest.size() > kNameMaxLength) {
    return Invalid(text, "repository name must not be longer than 255 characters");
  }
  ref.domain_ = std::move(domain);
  ref.path_ = std::string(rest);
  return ref;
}

Result<Reference> Reference::ParseDockerRef(std::string_view text) {
  Reference ref = BUILDER_TRY(Parse(text));
  if (ref.digest_) return ref.WithoutTag();
  return ref.WithDefaultTag();
}

std::string Reference::Name() const { return domain_ + "/" + path_; }

std::string Reference::String() const {
  std::string out = Name();
  if (!tag_.empty()) out += ":" + tag_;
  if (digest_) out += "@" + digest_->str();
  return out;
}

std::string Reference::FamiliarName() const {
  if (domain_ != kDefaultDomain) return Name();
  std::string_view path = path_;
  if (path.starts_with(kOfficialPrefix)) {
    std::string_view rest = path.substr(kOfficialPrefix.size());
    if (rest.find('/') == std::string_view::npos) return std::string(rest);
  }
  return path_;
}

std::string Reference::FamiliarString() const {
  std::string out = FamiliarName();
  if (!tag_.empty()) out += ":" + tag_;
  if (digest_) out += "@" + digest_->str();
  return out;
}

Reference Reference::WithDefaultTag() const {
  Reference ref = *this;
  if (ref.tag_.empty() && !ref.digest_) ref.tag_ = "latest";
  return ref;
}

Result<Reference> Reference::WithTag(std::string_view tag) const {
  if (!IsValidTag(tag)) {
    return Fail(ErrorCode::kInvalidArgument, "invalid tag \"" + std::string(tag) + "\"");
  }
  Reference ref = *this;
  ref.tag_ = std::string(tag);
  return ref;
}

Reference Reference::WithDigest(const Digest& digest) const {
  Reference ref = *this;
  ref.digest_ = digest;
  return ref;
}

Reference Reference::WithoutTag() const {
  Reference ref = *this;
  ref.tag_.clear();
  return ref;
}

}  // namespace builder::oci
